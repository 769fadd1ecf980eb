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
    public async Task Bad_options_are_all_reported()
    {
        var run = await CliRun.RunAsync(string.Empty, TimeProvider.System, "simulate", "--sites", "0", "--rate", "fast", "--broker", "http://x");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--sites", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--rate", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--broker", run.Stderr, StringComparison.Ordinal);
    }
}
