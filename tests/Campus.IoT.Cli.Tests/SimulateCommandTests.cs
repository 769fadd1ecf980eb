using System.Collections.Concurrent;
using System.Text.Json;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Cli.Tests;

public sealed class SimulateCommandTests(MosquittoBroker mosquitto) : IClassFixture<MosquittoBroker>
{
    [Fact]
    public async Task Every_reading_the_simulator_reports_reaches_a_subscriber()
    {
        var readings = new ConcurrentDictionary<(string Topic, long Seq), int>();
        var logs = new CapturedLogs();
        await using var subscriber = await DurableSubscriber.StartAsync(mosquitto.Host, mosquitto.Port, "campus/v1/+/gw-1/telemetry", (topic, payload) =>
        {
            using var doc = JsonDocument.Parse(payload);
            readings[(topic, doc.RootElement.GetProperty("seq").GetInt64())] = doc.RootElement.GetProperty("readings").GetArrayLength();
        }, logs.CreateLogger("subscriber"));

        var run = await CliRun.RunAsync(string.Empty, TimeProvider.System, "simulate", "--broker", mosquitto.Uri, "--sites", "3", "--devices", "4", "--rate", "20", "--duration", "1");

        Assert.Equal(0, run.ExitCode);
        using var summary = JsonDocument.Parse(run.Lines[^1]);
        Assert.Equal(60, summary.RootElement.GetProperty("messages").GetInt64());
        Assert.Equal(240, summary.RootElement.GetProperty("readings").GetInt64());
        Assert.Equal(0, summary.RootElement.GetProperty("failed").GetInt64());
        await Eventually.True(() => readings.Count == 60, "60 simulated messages at the subscriber");
        Assert.Equal(240, readings.Values.Sum());
        Assert.Equal(3, readings.Keys.Select(k => k.Topic).Distinct().Count());
    }

    [Fact]
    public async Task Several_gateways_per_school_share_its_devices_at_their_interval()
    {
        var messages = new ConcurrentDictionary<(string Topic, long Seq), string[]>();
        var logs = new CapturedLogs();
        await using var subscriber = await DurableSubscriber.StartAsync(mosquitto.Host, mosquitto.Port, "campus/v1/+/+/telemetry", (topic, payload) =>
        {
            if (!topic.StartsWith("campus/v1/sim-", StringComparison.Ordinal))
            {
                return;
            }

            using var doc = JsonDocument.Parse(payload);
            messages[(topic, doc.RootElement.GetProperty("seq").GetInt64())] =
                [.. doc.RootElement.GetProperty("readings").EnumerateArray().Select(r => r.GetProperty("device").GetString()!)];
        }, logs.CreateLogger("subscriber"));

        // 4 schools × 2 gateways × 3 devices, every device every 0.5 s for 1 s: 2 messages per gateway, 16 in all.
        var run = await CliRun.RunAsync(string.Empty, TimeProvider.System, "simulate", "--broker", mosquitto.Uri, "--sites", "4", "--devices", "6", "--gateways", "2", "--interval", "0.5", "--duration", "1");

        Assert.Equal(0, run.ExitCode);
        using var summary = JsonDocument.Parse(run.Lines[^1]);
        var root = summary.RootElement;
        Assert.Equal(16, root.GetProperty("messages").GetInt64());
        Assert.Equal(48, root.GetProperty("readings").GetInt64());
        Assert.Equal(0, root.GetProperty("failed").GetInt64());
        Assert.Equal(2, root.GetProperty("gatewaysPerSite").GetInt32());
        Assert.Equal(24, root.GetProperty("devices").GetInt64());
        Assert.Equal(0.5, root.GetProperty("intervalSeconds").GetDouble());
        Assert.Equal(48, root.GetProperty("scheduledReadingsPerSecond").GetDouble());
        Assert.True(root.GetProperty("readingsPerSecond").GetDouble() > 0);
        await Eventually.True(() => messages.Count == 16, "16 simulated messages at the subscriber");

        var topics = messages.Keys.Select(k => k.Topic).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [.. from s in new[] { "sim-001", "sim-002", "sim-003", "sim-004" } from g in new[] { "gw-1", "gw-2" } select $"campus/v1/{s}/{g}/telemetry"],
            topics);
        Assert.All(topics, t => Assert.Equal(2, messages.Keys.Count(k => k.Topic == t)));
        Assert.All(messages, m => Assert.Equal(m.Key.Topic.Contains("/gw-1/", StringComparison.Ordinal) ? ["dev-001", "dev-002", "dev-003"] : ["dev-004", "dev-005", "dev-006"], m.Value));
    }

    [Fact]
    public async Task A_burst_multiplies_every_gateways_rate_inside_its_window()
    {
        var messages = new ConcurrentDictionary<(string Topic, long Seq), int>();
        var logs = new CapturedLogs();
        await using var subscriber = await DurableSubscriber.StartAsync(mosquitto.Host, mosquitto.Port, "campus/v1/+/gw-1/telemetry", (topic, payload) =>
        {
            if (topic.StartsWith("campus/v1/sim-", StringComparison.Ordinal))
            {
                using var doc = JsonDocument.Parse(payload);
                messages[(topic, doc.RootElement.GetProperty("seq").GetInt64())] = doc.RootElement.GetProperty("readings").GetArrayLength();
            }
        }, logs.CreateLogger("subscriber"));

        // 2 Hz for 2 s, ten times that from 0.5 s to 1.5 s: per gateway 2 × (2 + 9 × 1) = 22 messages.
        var run = await CliRun.RunAsync(string.Empty, TimeProvider.System, "simulate", "--broker", mosquitto.Uri, "--sites", "2", "--devices", "3", "--rate", "2", "--duration", "2", "--burst-factor", "10", "--burst-at", "0.5", "--burst-for", "1");

        Assert.Equal(0, run.ExitCode);
        using var summary = JsonDocument.Parse(run.Lines[^1]);
        Assert.Equal(44, summary.RootElement.GetProperty("messages").GetInt64());
        Assert.Equal(132, summary.RootElement.GetProperty("readings").GetInt64());
        Assert.Equal(10, summary.RootElement.GetProperty("burstFactor").GetDouble());
        await Eventually.True(() => messages.Count == 44, "44 simulated messages at the subscriber");
        Assert.Equal(22, messages.Keys.Count(k => k.Topic == "campus/v1/sim-001/gw-1/telemetry"));
        Assert.Equal(22, messages.Keys.Count(k => k.Topic == "campus/v1/sim-002/gw-1/telemetry"));
    }

    [Theory]
    [InlineData(200, 1, 0, new[] { 1, 200 })]
    [InlineData(200, 4, 0, new[] { 1, 50 })]
    [InlineData(200, 4, 3, new[] { 151, 200 })]
    [InlineData(10, 3, 1, new[] { 4, 6 })]
    public void A_schools_devices_are_dealt_to_its_gateways_in_runs(int devices, int gateways, int gateway, int[] firstAndLast)
    {
        var mine = SimulateCommand.DevicesOfGateway(devices, gateways, gateway).ToList();

        Assert.Equal(firstAndLast[0], mine[0]);
        Assert.Equal(firstAndLast[1], mine[^1]);
        Assert.Equal(devices, Enumerable.Range(0, gateways).Sum(g => SimulateCommand.DevicesOfGateway(devices, gateways, g).Count()));
    }

    [Theory]
    [InlineData("--rate and --interval", "--rate", "2", "--interval", "0.5")]
    [InlineData("--gateways must not exceed", "--devices", "2", "--gateways", "3")]
    [InlineData("at most 1000 readings per message", "--devices", "2000")]
    [InlineData("need --burst-factor", "--burst-at", "5")]
    [InlineData("--burst-factor must be", "--burst-factor", "0.5")]
    [InlineData("--sites must be", "--sites", "10001")]
    public async Task New_options_are_checked(string message, params string[] args)
    {
        var run = await CliRun.RunAsync(string.Empty, TimeProvider.System, ["simulate", .. args]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_options_are_all_reported()
    {
        var run = await CliRun.RunAsync(string.Empty, TimeProvider.System, "simulate", "--sites", "0", "--rate", "fast", "--broker", "http://x");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--sites", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--rate", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--broker", run.Stderr, StringComparison.Ordinal);
    }
}
