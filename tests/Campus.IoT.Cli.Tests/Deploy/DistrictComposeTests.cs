using System.Diagnostics;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Campus.IoT.Cli.Tests.Deploy;

/// <summary>
/// The district tier's docker-compose.yml, checked with <c>docker-compose config</c> (validated, not run: there is no Docker
/// engine here). See docs/district.md.
/// </summary>
public sealed class DistrictComposeTests
{
    private const string ExampleEnv = "deploy/district.env.example";

    private static readonly string[] Platforms = ["platform-1", "platform-2"];

    [DockerComposeFact]
    public async Task The_district_compose_file_is_valid_with_the_example_secrets()
    {
        var services = await DockerCompose.RunAsync("--env-file", ExampleEnv, "config", "--services");

        Assert.True(services.ExitCode == 0, services.Stderr);
        Assert.Equal(
            ["broker", "influxdb", "ingest-1", "ingest-2", "lb", "platform-1", "platform-2", "postgres", "redis"],
            services.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
    }

    [DockerComposeFact]
    public async Task Every_service_restarts_and_has_a_health_check_and_waits_for_what_it_needs()
    {
        var config = new ComposeConfig(await ConfigAsync());

        Assert.Equal(9, config.ServiceNames.Count);
        foreach (var service in config.ServiceNames)
        {
            Assert.True(config.Scalar(service, "restart") == "unless-stopped", $"{service} has no restart policy");
            var test = Assert.IsType<YamlMappingNode>(config.Get(service, "healthcheck"), exactMatch: false);
            Assert.True(test.Children.ContainsKey(new YamlScalarNode("test")), $"{service}'s health check has no test");
        }

        foreach (var ingest in new[] { "ingest-1", "ingest-2" })
        {
            Assert.Equal(new Dictionary<string, string> { ["broker"] = "service_healthy", ["influxdb"] = "service_healthy" }, config.DependsOn(ingest));
        }

        foreach (var platform in Platforms)
        {
            Assert.Equal(
                new Dictionary<string, string> { ["broker"] = "service_healthy", ["influxdb"] = "service_healthy", ["postgres"] = "service_healthy", ["redis"] = "service_healthy" },
                config.DependsOn(platform));
        }

        // The load balancer starts once the nodes' names resolve; nginx routes around a node that is not answering.
        Assert.Equal(new Dictionary<string, string> { ["platform-1"] = "service_started", ["platform-2"] = "service_started" }, config.DependsOn("lb"));
    }

    [DockerComposeFact]
    public async Task Redis_is_a_required_service_not_behind_a_profile()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(DockerCompose.Root, "docker-compose.yml"));
        var config = new ComposeConfig(await ConfigAsync());

        Assert.DoesNotContain("profiles:", text, StringComparison.Ordinal);
        Assert.All(config.ServiceNames, service => Assert.Null(config.Get(service, "profiles")));
        Assert.Contains("redis", config.ServiceNames);
        Assert.Equal("redis:7", config.Scalar("redis", "image"));
        var healthcheck = (YamlMappingNode)config.Get("redis", "healthcheck")!;
        Assert.Equal("CMD redis-cli ping", string.Join(' ', ((YamlSequenceNode)healthcheck.Children[new YamlScalarNode("test")]).Children.Select(c => c.ToString())));

        // The password from .env: required by the server, given to its health check and to both nodes.
        var command = string.Join(' ', ((YamlSequenceNode)config.Get("redis", "command")!).Children.Select(c => c.ToString()));
        Assert.Contains("--requirepass replace-with-a-long-random-password", command, StringComparison.Ordinal);
        Assert.Contains("--appendonly yes", command, StringComparison.Ordinal);
        Assert.Equal("replace-with-a-long-random-password", config.Environment("redis")["REDISCLI_AUTH"]);
        Assert.Contains("redis-data:/data:rw", config.Volumes("redis"));
    }

    [DockerComposeFact]
    public async Task Two_ingest_instances_and_both_nodes_share_one_subscription_into_influxdb()
    {
        var raw = await ConfigAsync();
        var config = new ComposeConfig(raw);

        Assert.Equal(2, Count(raw, @"^\s+target: ingest$"));
        Assert.Equal(2, Count(raw, @"^\s+target: platform$"));
        foreach (var service in new[] { "ingest-1", "ingest-2", "platform-1", "platform-2" })
        {
            var environment = config.Environment(service);
            Assert.Equal("ingest", environment["Campus__Ingest__SharedGroup"]);
            Assert.Equal("influxdb2", environment["Campus__Storage__Kind"]);
            Assert.Equal("mqtt://broker:1883", environment["Campus__Mqtt__Broker"]);
        }

        Assert.Equal(
            ["ingest-1", "ingest-2", "platform-1", "platform-2"],
            Regex.Matches(raw, @"Campus__InstanceId: (\S+)").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
    }

    [DockerComposeFact]
    public async Task Two_platform_nodes_with_distinct_instance_ids_form_one_cluster_on_the_same_stores()
    {
        var config = new ComposeConfig(await ConfigAsync());
        var nodes = Platforms.Select(config.Environment).ToList();
        const string Password = "Password=replace-with-a-long-random-password";

        // Each node's alerting keeps a persistent session per instance id: they must differ.
        Assert.Equal(["platform-1", "platform-2"], nodes.Select(n => n["Campus__InstanceId"]));
        foreach (var node in nodes)
        {
            Assert.Equal("true", node["Campus__Cluster__Enabled"]);
            Assert.Equal("campus", node["Campus__Cluster__ClusterId"]);
            Assert.Equal("redis:6379,password=replace-with-a-long-random-password", node["Campus__Cluster__Redis"]);
            Assert.Equal("postgres", node["Campus__Alarms__Provider"]);
            Assert.Equal($"Host=postgres;Database=alarms;Username=campus;{Password}", node["Campus__Alarms__ConnectionString"]);
            Assert.Equal(node["Campus__Alarms__ConnectionString"], node["Campus__Escalation__ConnectionString"]);
            Assert.Equal("postgres", node["Campus__Hazards__Provider"]);
            Assert.Equal($"Host=postgres;Database=hazards;Username=campus;{Password}", node["Campus__Hazards__ConnectionString"]);
            Assert.Equal("/shared/auth.db", node["Campus__Auth__Database"]);
            Assert.Equal("/data", node["Campus__DataDir"]);

            // Orleans needs an IP: unset, a node advertises its own address on the compose network.
            Assert.False(node.ContainsKey("Campus__Cluster__AdvertisedAddress"));
        }

        // Everything else but the instance id is the same on both nodes.
        Assert.Equal(nodes[0].Where(e => e.Key != "Campus__InstanceId"), nodes[1].Where(e => e.Key != "Campus__InstanceId"));

        // One users file on one shared volume; each node's own data elsewhere. Only the load balancer is published.
        Assert.Equal(["platform-1-data:/data:rw", "platform-auth:/shared:rw"], config.Volumes("platform-1"));
        Assert.Equal(["platform-2-data:/data:rw", "platform-auth:/shared:rw"], config.Volumes("platform-2"));
        Assert.All(Platforms, p => Assert.Null(config.Get(p, "ports")));
    }

    [DockerComposeFact]
    public async Task Postgres_holds_the_hazards_and_the_alarms_databases()
    {
        var config = new ComposeConfig(await ConfigAsync());

        Assert.Equal("hazards", config.Environment("postgres")["POSTGRES_DB"]);
        Assert.Contains($"{DockerCompose.Root}/deploy/postgres/init:/docker-entrypoint-initdb.d:ro", config.Volumes("postgres"));
        var init = await File.ReadAllTextAsync(Path.Combine(DockerCompose.Root, "deploy/postgres/init/10-alarms.sql"));
        Assert.Contains("CREATE DATABASE alarms", init, StringComparison.Ordinal);
    }

    [DockerComposeFact]
    public async Task Nginx_balances_http_and_the_live_hub_over_both_nodes_with_its_config_mounted()
    {
        var config = new ComposeConfig(await ConfigAsync());

        Assert.Equal("nginx:1.27", config.Scalar("lb", "image"));
        Assert.Equal([$"{DockerCompose.Root}/deploy/nginx/campus.conf:/etc/nginx/conf.d/default.conf:ro"], config.Volumes("lb"));
        var port = Assert.Single(((YamlSequenceNode)config.Get("lb", "ports")!).Children.Cast<YamlMappingNode>());
        Assert.Equal(("5080", "80"), (port.Children[new YamlScalarNode("published")].ToString(), port.Children[new YamlScalarNode("target")].ToString()));

        var nginx = await File.ReadAllTextAsync(Path.Combine(DockerCompose.Root, "deploy/nginx/campus.conf"));
        var upstream = Regex.Match(nginx, @"upstream campus_platform \{(?<body>[^}]*)\}").Groups["body"].Value;
        Assert.Matches(@"(?m)^\s*ip_hash;", upstream);
        Assert.Equal(["platform-1:5080", "platform-2:5080"], Regex.Matches(upstream, @"(?m)^\s*server (\S+)").Select(m => m.Groups[1].Value));

        var hub = Regex.Match(nginx, @"location /hubs/ \{(?<body>[^}]*)\}").Groups["body"].Value;
        Assert.Contains("proxy_pass http://campus_platform;", hub, StringComparison.Ordinal);
        Assert.Contains("proxy_http_version 1.1;", hub, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Upgrade $http_upgrade;", hub, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Connection $connection_upgrade;", hub, StringComparison.Ordinal);
        Assert.Matches(@"proxy_read_timeout (\d+h|\d{4,}s);", hub);
        Assert.Contains("location = /lb-healthz", nginx, StringComparison.Ordinal);
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
        Assert.Contains("image: nginx:1.27", config, StringComparison.Ordinal);
    }

    [DockerComposeFact]
    public async Task Without_the_secrets_compose_refuses_and_names_the_missing_one()
    {
        var empty = Path.GetTempFileName();
        try
        {
            var run = await DockerCompose.RunAsync("--env-file", empty, "config", "-q");

            Assert.NotEqual(0, run.ExitCode);
            Assert.Matches("INFLUXDB_PASSWORD|INFLUXDB_TOKEN|POSTGRES_PASSWORD|REDIS_PASSWORD", run.Stderr);
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

        foreach (var secret in DockerCompose.Secrets)
        {
            Assert.Contains($"${{{secret}:?", text, StringComparison.Ordinal);
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
    public async Task The_loopback_district_script_is_executable_bash_that_runs_two_clustered_nodes()
    {
        var script = Path.Combine(DockerCompose.Root, "scripts/district-loopback.sh");
        var text = await File.ReadAllTextAsync(script);

        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(script).HasFlag(UnixFileMode.UserExecute));
        Assert.Contains("--Campus:Cluster:Enabled=true", text, StringComparison.Ordinal);
        Assert.Contains("--Campus:InstanceId=\"node-$i\"", text, StringComparison.Ordinal);
        Assert.Contains("trap cleanup EXIT", text, StringComparison.Ordinal);
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
        var run = await DockerCompose.RunAsync("--env-file", ExampleEnv, "config");
        Assert.True(run.ExitCode == 0, run.Stderr);
        return run.Stdout;
    }
}
