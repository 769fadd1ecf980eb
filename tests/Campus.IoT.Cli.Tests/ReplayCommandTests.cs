using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Cli.Tests;

/// <summary><c>campus replay</c>: the DESIGN contract, simulated time from the records, timers between them.</summary>
public sealed class ReplayCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-replay-").FullName;
    private readonly FakeTimeProvider _time = new();

    private static string Reading(string ts, string device, double value, string profile = "cold-storage") =>
        $$"""{"ts":"2026-11-28T{{ts}}.000Z","site":"school-01","gateway":"gw-1","device":"{{device}}","profile":"{{profile}}","metric":"temperature","value":{{value.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""";

    private static IEnumerable<string> Every30s(string device, int fromMinute, int toMinute, double value) =>
        Enumerable.Range(fromMinute * 2, (toMinute - fromMinute) * 2).Select(i => Reading($"08:{i / 2:00}:{i % 2 * 30:00}", device, value));

    private static List<JsonElement> Parse(CliRun run) => [.. run.Lines.Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    [Fact]
    public async Task A_fridge_outside_its_band_for_10_minutes_raises_at_the_10th_minute_and_clears_after_5_inside()
    {
        var input = string.Join("\n", [.. Every30s("fridge-1", 0, 5, 4.0), .. Every30s("fridge-1", 5, 20, 9.1), .. Every30s("fridge-1", 20, 30, 4.0)]);
        var run = await CliRun.RunAsync(input, _time, "replay");

        Assert.Equal(0, run.ExitCode);
        var lines = Parse(run);
        Assert.Equal(2, lines.Count);
        Assert.Equal("2026-11-28T08:15:00.000Z", lines[0].GetProperty("ts").GetString());
        Assert.Equal("cold-storage", lines[0].GetProperty("rule").GetString());
        Assert.Equal("major", lines[0].GetProperty("severity").GetString());
        Assert.Equal("raised", lines[0].GetProperty("transition").GetString());
        Assert.Equal(0, lines[0].GetProperty("level").GetInt32());
        Assert.Equal("fridge-1", lines[0].GetProperty("device").GetString());
        Assert.Equal(("2026-11-28T08:25:00.000Z", "cleared"), (lines[1].GetProperty("ts").GetString(), lines[1].GetProperty("transition").GetString()));
        Assert.Equal(lines[0].GetProperty("alarm").GetString(), lines[1].GetProperty("alarm").GetString());
    }

    [Fact]
    public async Task A_door_opened_for_two_minutes_prints_nothing()
    {
        var input = string.Join("\n", [.. Every30s("fridge-1", 0, 5, 4.0), .. Every30s("fridge-1", 5, 7, 12.0), .. Every30s("fridge-1", 7, 40, 4.0)]);
        var run = await CliRun.RunAsync(input, _time, "replay");
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Lines);
    }

    [Fact]
    public async Task Timers_fire_in_simulated_time_between_records_and_a_gateway_offline_suppresses_its_sensors()
    {
        var input = string.Join("\n",
            Reading("08:00:00", "fridge-1", 4.0),
            """{"ts":"2026-11-28T08:00:10.000Z","site":"school-01","gateway":"gw-1","device":"smoke-3f","event":{"type":"smoke","state":"active","point":"L1D126"}}""",
            """{"ts":"2026-11-28T08:20:00.000Z","site":"school-01","gateway":"gw-1","status":"offline"}""",
            """{"ts":"2026-11-28T08:30:00.000Z","site":"school-01","gateway":"gw-1","status":"online"}""",
            Reading("08:31:00", "fridge-1", 4.0));
        var lines = Parse(await CliRun.RunAsync(input, _time, "replay"));
        var summary = lines.Select(l => (l.GetProperty("ts").GetString()![11..19], l.GetProperty("rule").GetString(), l.GetProperty("transition").GetString())).ToList();

        Assert.Equal(
            [
                ("08:00:10", "fire", "raised"),
                ("08:01:10", "fire", "escalated"),                 // the fire policy: +60 s unacknowledged
                ("08:03:10", "fire", "escalated"),                 // +180 s
                ("08:05:00", "sensor-offline", "raised"),          // the 5 s timer, 5 min after the fridge's last reading
                ("08:20:00", "gateway-offline", "raised"),         // (events, like the smoke detector's, are not readings:
                ("08:20:00", "sensor-offline", "suppressed"),      //  the offline rule watches readings)
                ("08:30:00", "gateway-offline", "cleared"),
                ("08:31:00", "sensor-offline", "cleared"),
            ],
            summary);
        Assert.False(lines.Single(l => l.GetProperty("rule").GetString() == "gateway-offline" && l.GetProperty("transition").GetString() == "raised").TryGetProperty("device", out _));
        Assert.Equal([0, 1, 2], lines.Where(l => l.GetProperty("rule").GetString() == "fire").Select(l => l.GetProperty("level").GetInt32()));
    }

    [Fact]
    public async Task A_rules_file_changes_the_outcome_and_a_bad_one_is_refused_with_its_line()
    {
        var rules = Path.Combine(_directory, "rules.yaml");
        await File.WriteAllTextAsync(rules, """
            rules:
              - name: cold-storage
                profile: cold-storage
                metric: temperature
                detector: level
                raise: { outside: [0, 10], for: 10m }
                clear: { inside: [0.5, 9.5], for: 5m }
                severity: major
            """);
        var input = string.Join("\n", [.. Every30s("fridge-1", 0, 5, 4.0), .. Every30s("fridge-1", 5, 20, 9.1)]);
        var relaxed = await CliRun.RunAsync(input, _time, "replay", "--rules", rules);
        Assert.Equal(0, relaxed.ExitCode);
        Assert.Empty(relaxed.Lines);                                   // 9.1 is inside 0..10

        await File.WriteAllTextAsync(rules, "rules:\n  - name: x\n    detector: level\n");
        var refused = await CliRun.RunAsync(input, _time, "replay", "--rules", rules);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"{rules}:2:", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_record_is_reported_with_its_line_and_skipped()
    {
        var input = string.Join("\n", Reading("08:00:00", "fridge-1", 4.0), "not json", """{"ts":"2026-11-28T08:01:00Z","site":"school-01","gateway":"gw-1","device":"d","metric":"pressure","value":1}""", Reading("08:02:00", "fridge-1", 4.0));
        var run = await CliRun.RunAsync(input, _time, "replay");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("line 2: not JSON", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("line 3: `metric` must be one of", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Lines);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
