using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Campus.IoT.Cli.Tests.Deploy;

/// <summary>
/// The district tier's docker-compose.yml, checked with <c>docker-compose config</c> (validated, not run: there is no Docker
/// engine here). See docs/district.md.
/// </summary>
public sealed class DistrictComposeTests
{
    private const string ExampleEnv = "deploy/district.env.example";

    [DockerComposeFact]
    public async Task The_district_compose_file_is_valid_with_the_example_secrets()
    {
        var services = await DockerCompose.RunAsync("--env-file", ExampleEnv, "--profile", "scale-out", "config", "--services");

        Assert.True(services.ExitCode == 0, services.Stderr);
        Assert.Equal(
            ["broker", "influxdb", "ingest-1", "ingest-2", "platform", "postgres", "redis"],
            services.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
    }

    [DockerComposeFact]
    public async Task Every_service_restarts_and_has_a_health_check_and_the_platform_waits_for_what_it_needs()
    {
        var config = await ConfigAsync();

        Assert.Equal(7, Count(config, @"^\s+restart: unless-stopped$"));
        Assert.Equal(7, Count(config, @"^\s+healthcheck:$"));
        Assert.True(Count(config, @"condition: service_healthy") >= 7, config);
    }

    [DockerComposeFact]
    public async Task Two_ingest_instances_share_one_subscription_into_influxdb_and_one_rules_node_uses_postgres_for_hazards()
    {
        var config = await ConfigAsync();

        Assert.Equal(2, Count(config, @"^\s+target: ingest$"));
        Assert.Equal(3, Count(config, @"Campus__Ingest__SharedGroup: ingest$"));
        Assert.Equal(3, Count(config, @"Campus__Storage__Kind: influxdb2$"));
        Assert.Equal(3, Count(config, @"Campus__Mqtt__Broker: mqtt://broker:1883$"));
        Assert.Equal(["ingest-1", "ingest-2", "platform-1"], Regex.Matches(config, @"Campus__InstanceId: (\S+)").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));

        // ONE rules/dashboard node: the multi-node rules engine is not built, a second node would double every alarm.
        Assert.Equal(1, Count(config, @"Campus__Hazards__Provider: postgres$"));
        Assert.Contains("Campus__Hazards__ConnectionString: Host=postgres;Database=hazards;Username=campus;Password=replace-with-a-long-random-password", config, StringComparison.Ordinal);
        Assert.Equal(1, Count(config, @"POSTGRES_DB: hazards$"));
    }

    [DockerComposeFact]
    public async Task The_broker_uses_the_provisioned_files_and_influxdb_gets_its_dbrp_mapping()
    {
        var config = await ConfigAsync();

        foreach (var file in new[] { "mosquitto-district.conf", "passwd", "acl" })
        {
            Assert.Contains($"{DockerCompose.Root}/deploy/broker/{file}:/mosquitto/config/{file}:ro", config, StringComparison.Ordinal);
        }

        Assert.Contains("/mosquitto/config/mosquitto-district.conf", config, StringComparison.Ordinal);
        Assert.Contains($"{DockerCompose.Root}/deploy/influxdb/init:/docker-entrypoint-initdb.d:ro", config, StringComparison.Ordinal);
        Assert.Contains("image: influxdb:2.7", config, StringComparison.Ordinal);
        Assert.Contains("image: postgres:15", config, StringComparison.Ordinal);
        Assert.Contains("image: redis:7", config, StringComparison.Ordinal);
    }

    [DockerComposeFact]
    public async Task Without_the_secrets_compose_refuses_and_names_the_missing_one()
    {
        var empty = Path.GetTempFileName();
        try
        {
            var run = await DockerCompose.RunAsync("--env-file", empty, "config", "-q");

            Assert.NotEqual(0, run.ExitCode);
            Assert.Matches("INFLUXDB_PASSWORD|INFLUXDB_TOKEN|POSTGRES_PASSWORD", run.Stderr);
        }
        finally
        {
            File.Delete(empty);
        }
    }

    [Fact]
    public async Task No_secret_is_written_in_the_compose_file()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(DockerCompose.Root, "docker-compose.yml"));

        foreach (var secret in new[] { "INFLUXDB_PASSWORD", "INFLUXDB_TOKEN", "POSTGRES_PASSWORD" })
        {
            Assert.All(Regex.Matches(text, $@"\$\{{{secret}[^}}]*\}}"), m => Assert.StartsWith($"${{{secret}:?", m.Value, StringComparison.Ordinal));
        }

        Assert.DoesNotContain("change-me", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_influxdb_init_script_is_executable_bash_that_creates_the_dbrp_mapping()
    {
        var script = Path.Combine(DockerCompose.Root, "deploy/influxdb/init/10-dbrp.sh");

        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(script).HasFlag(UnixFileMode.UserExecute));
        Assert.Contains("influx v1 dbrp create", await File.ReadAllTextAsync(script), StringComparison.Ordinal);
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", script]) { RedirectStandardError = true, UseShellExecute = false })!;
        var errors = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, errors);
    }

    [Fact]
    public async Task The_dockerfile_builds_the_ingest_target_compose_asks_for()
    {
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(DockerCompose.Root, "Dockerfile"));

        Assert.Contains("AS ingest", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"campus-ingest.dll\"]", dockerfile, StringComparison.Ordinal);
        Assert.Contains("AS platform", dockerfile, StringComparison.Ordinal);
    }

    private static int Count(string text, string pattern) => Regex.Count(text, pattern, RegexOptions.Multiline);

    private static async Task<string> ConfigAsync()
    {
        var run = await DockerCompose.RunAsync("--env-file", ExampleEnv, "--profile", "scale-out", "config");
        Assert.True(run.ExitCode == 0, run.Stderr);
        return run.Stdout;
    }
}
