using System.Text.Json;
using Campus.IoT.Cli.Provisioning;

namespace Campus.IoT.Cli.Tests;

/// <summary>What <c>campus provision</c> / <c>campus revoke</c> do to the broker's files, without a broker.</summary>
public sealed class ProvisionCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("campus-provision-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Provisioning_prints_a_gateway_config_and_stores_only_a_hash()
    {
        var run = await Provision("gateway", "--site", "school-01", "--name", "gw-teaching", "--broker", "mqtts://broker.example:8883");

        Assert.Equal(0, run.ExitCode);
        using var config = JsonDocument.Parse(run.Stdout);
        var gateway = config.RootElement.GetProperty("Gateway");
        Assert.Equal("school-01", gateway.GetProperty("Site").GetString());
        Assert.Equal("gw-teaching", gateway.GetProperty("Id").GetString());
        Assert.Equal("mqtts://broker.example:8883", gateway.GetProperty("Broker").GetString());
        Assert.Equal("school-01.gw-teaching", gateway.GetProperty("Username").GetString());
        Assert.Equal(ProvisionCommand.DefaultGatewayCaFile, gateway.GetProperty("CaFile").GetString());
        var secret = gateway.GetProperty("Password").GetString()!;

        var passwd = await File.ReadAllTextAsync(Path.Combine(_dir, "passwd"));
        Assert.DoesNotContain(secret, passwd, StringComparison.Ordinal);
        Assert.True(MosquittoPassword.Verify(secret, passwd.Trim()["school-01.gw-teaching:".Length..]));
        var acl = await File.ReadAllLinesAsync(Path.Combine(_dir, "acl"));
        Assert.Contains("user school-01.gw-teaching", acl);
        Assert.Contains("topic write campus/v1/school-01/gw-teaching/#", acl);
        Assert.Contains("topic read campus/v1/school-01/gw-teaching/cmd/#", acl);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public async Task Provisioning_again_is_refused_without_rotate_and_rotate_issues_a_new_secret()
    {
        var first = Secret(await Provision("gateway", "--site", "s1", "--name", "gw-a"));
        var before = await File.ReadAllTextAsync(Path.Combine(_dir, "passwd"));

        var again = await Provision("gateway", "--site", "s1", "--name", "gw-a");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already provisioned", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(Path.Combine(_dir, "passwd")));

        var rotated = Secret(await Provision("gateway", "--site", "s1", "--name", "gw-a", "--rotate"));
        Assert.NotEqual(first, rotated);
        var lines = await File.ReadAllLinesAsync(Path.Combine(_dir, "passwd"));
        var line = Assert.Single(lines);
        Assert.True(MosquittoPassword.Verify(rotated, line["s1.gw-a:".Length..]));
        Assert.False(MosquittoPassword.Verify(first, line["s1.gw-a:".Length..]));
        Assert.Single(await File.ReadAllLinesAsync(Path.Combine(_dir, "acl")), l => l == "user s1.gw-a");
    }

    [Fact]
    public async Task Revoke_removes_both_entries_and_keeps_accounts_it_did_not_write()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "passwd"), "bridge-user:$7$101$ehsrBbw1WSSD7DO+$MxhlNMCTUSDAGyeRZKbrG95tgP0S9iImQr+YSXFAH6h2w6lpA1KXMNwVUKAdRt3ikYdgX76Ike7bfFzagZA9fQ==\n");
        await File.WriteAllTextAsync(Path.Combine(_dir, "acl"), "pattern read campus/v1/%u/#\n\nuser bridge-user\ntopic readwrite campus/#\n");
        Secret(await Provision("gateway", "--site", "s1", "--name", "gw-a"));
        Secret(await Provision("gateway", "--site", "s1", "--name", "gw-b"));
        Secret(await Provision("platform", "--name", "ingest"));

        var list = await CliRun.RunAsync(string.Empty, TimeProvider.System, "provision", "list", "--dir", _dir);
        Assert.Equal(0, list.ExitCode);
        Assert.Equal(
            ["""{"user":"bridge-user","kind":"platform","acl":true}""", """{"user":"s1.gw-a","kind":"gateway","site":"s1","gateway":"gw-a","acl":true}""", """{"user":"s1.gw-b","kind":"gateway","site":"s1","gateway":"gw-b","acl":true}""", """{"user":"ingest","kind":"platform","acl":true}"""],
            list.Lines);

        var revoke = await CliRun.RunAsync(string.Empty, TimeProvider.System, "revoke", "gateway", "--site", "s1", "--name", "gw-a", "--dir", _dir);
        Assert.Equal(0, revoke.ExitCode);
        var passwd = await File.ReadAllTextAsync(Path.Combine(_dir, "passwd"));
        var acl = await File.ReadAllTextAsync(Path.Combine(_dir, "acl"));
        Assert.DoesNotContain("s1.gw-a", passwd, StringComparison.Ordinal);
        Assert.DoesNotContain("gw-a", acl, StringComparison.Ordinal);
        Assert.Contains("bridge-user:", passwd, StringComparison.Ordinal);
        Assert.StartsWith("pattern read campus/v1/%u/#\n\nuser bridge-user\ntopic readwrite campus/#\n", acl, StringComparison.Ordinal);
        Assert.Contains("user s1.gw-b\ntopic write campus/v1/s1/gw-b/#\ntopic read campus/v1/s1/gw-b/cmd/#\n", acl, StringComparison.Ordinal);
        Assert.Contains("user ingest\ntopic read campus/v1/#\n", acl, StringComparison.Ordinal);

        var twice = await CliRun.RunAsync(string.Empty, TimeProvider.System, "revoke", "gateway", "--site", "s1", "--name", "gw-a", "--dir", _dir);
        Assert.Equal(2, twice.ExitCode);
        Assert.Contains("not provisioned", twice.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--site", "School-01", "--name", "gw-a")]
    [InlineData("--site", "s1", "--name", "gw.a")]
    [InlineData("--site", "s1", "--name", "-gw")]
    [InlineData("--site", "s1")]
    [InlineData("--site", "s1", "--name", "gw-a", "--broker", "http://x:1")]
    [InlineData("--site", "s1", "--name", "gw-a", "--reload-pid", "abc")]
    [InlineData("--site", "s1", "--name", "gw-a", "--bogus", "1")]
    public async Task Bad_arguments_exit_2_and_write_nothing(params string[] args)
    {
        var run = await Provision("gateway", args);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("campus provision gateway: ", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
        Assert.False(File.Exists(Path.Combine(_dir, "passwd")));
        Assert.False(File.Exists(Path.Combine(_dir, "acl")));
    }

    [Fact]
    public async Task A_missing_directory_exits_2_with_the_path()
    {
        var missing = Path.Combine(_dir, "nope");
        var run = await CliRun.RunAsync(string.Empty, TimeProvider.System, "provision", "gateway", "--site", "s1", "--name", "gw-a", "--dir", missing);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"broker directory {missing} does not exist", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task An_unwritable_config_file_stops_before_the_broker_files_change()
    {
        var run = await Provision("gateway", "--site", "s1", "--name", "gw-a", "--out", Path.Combine(_dir, "missing", "gw-a.json"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("cannot write", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "passwd")));
        Assert.False(File.Exists(Path.Combine(_dir, "acl")));
    }

    [Fact]
    public async Task A_password_file_that_cannot_be_replaced_leaves_the_acl_as_it_was()
    {
        Secret(await Provision("gateway", "--site", "s1", "--name", "gw-a"));
        var acl = await File.ReadAllTextAsync(Path.Combine(_dir, "acl"));
        File.Delete(Path.Combine(_dir, "passwd"));
        Directory.CreateDirectory(Path.Combine(_dir, "passwd", "blocker"));

        var run = await Provision("gateway", "--site", "s1", "--name", "gw-b");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("cannot replace", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
        Assert.Equal(acl, await File.ReadAllTextAsync(Path.Combine(_dir, "acl")));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public async Task Out_writes_the_config_to_a_file_only_its_owner_reads()
    {
        var file = Path.Combine(_dir, "gw-a.json");
        var run = await Provision("gateway", "--site", "s1", "--name", "gw-a", "--out", file);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stdout);
        using var config = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        Assert.Equal("s1.gw-a", config.RootElement.GetProperty("Gateway").GetProperty("Username").GetString());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    internal static string Secret(CliRun run)
    {
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var config = JsonDocument.Parse(run.Stdout);
        var section = config.RootElement.TryGetProperty("Gateway", out var g) ? g : config.RootElement.GetProperty("Campus").GetProperty("Mqtt");
        return section.GetProperty("Password").GetString()!;
    }

    private Task<CliRun> Provision(string kind, params string[] args) =>
        CliRun.RunAsync(string.Empty, TimeProvider.System, ["provision", kind, "--dir", _dir, .. args]);
}
