namespace Campus.IoT.Cli.Tests;

/// <summary>The text <c>campus bridge config</c> prints and the options it refuses (the bridge at work: <see cref="BridgeTests"/>).</summary>
public sealed class BridgeConfigCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-bridge-config-").FullName;

    [Fact]
    public async Task A_tls_bridge_forwards_only_its_site_at_qos_1_with_persistent_sessions()
    {
        var passwordFile = Path.Combine(_directory, "bridge.pw");
        await File.WriteAllTextAsync(passwordFile, "s3cret-Pw\n");
        var cafile = Path.Combine(_directory, "ca.crt");
        await File.WriteAllTextAsync(cafile, "-----BEGIN CERTIFICATE-----\n");

        var run = await CliRun.RunAsync(string.Empty, TimeProvider.System, "bridge", "config", "--site", "school-7", "--district", "mqtts://district.example.org",
            "--username", "bridge-school-7", "--password-file", passwordFile, "--cafile", cafile);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Stderr);
        var lines = run.Lines;
        Assert.Contains("connection campus-district-school-7", lines);
        Assert.Contains("address district.example.org:8883", lines);
        Assert.Contains("bridge_protocol_version mqttv50", lines);
        Assert.Contains("remote_clientid campus-bridge-school-7", lines);
        Assert.Contains("remote_username bridge-school-7", lines);
        Assert.Contains("remote_password s3cret-Pw", lines);
        Assert.Contains("cleansession false", lines);
        Assert.Contains("local_cleansession false", lines);
        Assert.Contains("bridge_attempt_unsubscribe false", lines);
        Assert.Contains("topic campus/v1/school-7/# out 1 \"\" \"\"", lines);
        Assert.Contains($"bridge_cafile {cafile}", lines);
        Assert.Contains("bridge_insecure false", lines);
        Assert.Contains("persistence true", lines);
        Assert.Contains("autosave_interval 10", lines);
        Assert.Single(lines, l => l.StartsWith("topic ", StringComparison.Ordinal));

        // The bridge section runs to the end of the file: every global option comes before `connection`.
        var connection = lines.ToList().FindIndex(l => l.StartsWith("connection ", StringComparison.Ordinal));
        Assert.All(new[] { "persistence ", "autosave_interval ", "max_queued_messages " }, g => Assert.True(lines.ToList().FindIndex(l => l.StartsWith(g, StringComparison.Ordinal)) < connection, g));
    }

    [Fact]
    public async Task Without_a_cafile_tls_trusts_the_system_store_and_plain_mqtt_has_no_tls_lines()
    {
        var tls = await CliRun.RunAsync(string.Empty, TimeProvider.System, "bridge", "config", "--site", "s1", "--district", "mqtts://d.example:9883", "--protocol", "mqttv311");
        var plain = await CliRun.RunAsync(string.Empty, TimeProvider.System, "bridge", "config", "--site", "s1", "--district", "mqtt://10.0.0.5");

        Assert.Equal(0, tls.ExitCode);
        Assert.Contains("address d.example:9883", tls.Lines);
        Assert.Contains("bridge_capath /etc/ssl/certs", tls.Lines);
        Assert.Contains("bridge_protocol_version mqttv311", tls.Lines);
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("address 10.0.0.5:1883", plain.Lines);
        Assert.DoesNotContain(plain.Lines, l => l.StartsWith("bridge_ca", StringComparison.Ordinal) || l.StartsWith("remote_password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_options_are_all_reported()
    {
        var run = await CliRun.RunAsync(string.Empty, TimeProvider.System, "bridge", "config", "--site", "Bad_Site", "--district", "http://x",
            "--username", "u", "--protocol", "mqttv5", "--autosave", "0");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        foreach (var option in new[] { "--site", "--district", "--password-file", "--protocol", "--autosave" })
        {
            Assert.Contains(option, run.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_password_file_with_an_empty_first_line_is_refused()
    {
        var passwordFile = Path.Combine(_directory, "empty.pw");
        await File.WriteAllTextAsync(passwordFile, "\n");

        var run = await CliRun.RunAsync(string.Empty, TimeProvider.System, "bridge", "config", "--site", "s1", "--district", "mqtt://d", "--username", "u", "--password-file", passwordFile);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("first line must be the password", run.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
