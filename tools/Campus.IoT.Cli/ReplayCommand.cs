using System.Text;
using System.Text.Json;
using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Rules;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Cli;

/// <summary>
/// <c>campus replay [--rules FILE] &lt; readings.jsonl</c> (DESIGN.md): runs recorded input through the rules engine in
/// simulated time — the clock is each record's <c>ts</c>, and between records the engine's timer runs every 5 s of
/// simulated time (held conditions, offline sensors) — and prints each alarm transition as a JSON line:
/// <c>{"ts":…,"alarm":…,"rule":…,"site":…,"gateway":…,"device":…,"severity":…,"transition":…,"level":N}</c>.
/// A record that cannot be read is reported on stderr with its line number and skipped; the exit code is then 1.
/// </summary>
internal static class ReplayCommand
{
    private static readonly HashSet<string> Values = ["--rules"];
    private static readonly TimeSpan TickEvery = TimeSpan.FromSeconds(5);

    /// <summary>Longest gap filled with ticks; beyond it the clock jumps with one tick at the end (a week of 5 s ticks is 120,960).</summary>
    private static readonly TimeSpan MaxTickedGap = TimeSpan.FromDays(7);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, Stream stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!CliArguments.TryParse(args, Values, new HashSet<string>(), out var options, out var error))
        {
            return await CampusCli.FailAsync(stderr, "replay", [error]);
        }

        var rules = RuleSet.Defaults;
        if (options.Value("--rules") is { } path)
        {
            if (!File.Exists(path))
            {
                return await CampusCli.FailAsync(stderr, "replay", [$"no rules file at {path}"]);
            }

            var parsed = RulesParser.Parse(await File.ReadAllTextAsync(path, cancellationToken), path);
            if (parsed.Rules is null)
            {
                return await CampusCli.FailAsync(stderr, "replay", parsed.Errors.Select(e => e.ToString()));
            }

            rules = parsed.Rules;
        }

        var clock = new SimulatedClock();
        var engine = new AlarmEngine(clock, rules: () => rules);
        DateTimeOffset? lastTick = null;
        var bad = 0;
        var lineNumber = 0;
        using var reader = new StreamReader(stdin, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (!TryRead(line, out var record, out var problem))
            {
                bad++;
                await stderr.WriteLineAsync($"campus replay: line {lineNumber}: {problem}");
                continue;
            }

            // Simulated time follows the records, never backwards; the timer runs over the gap.
            var ts = record.Ts > clock.Now ? record.Ts : clock.Now;
            if (lastTick is { } from)
            {
                var tick = from + TickEvery;
                for (; tick < ts && ts - from <= MaxTickedGap; tick += TickEvery)
                {
                    clock.Now = tick;
                    await WriteAsync(stdout, engine.Tick(tick));
                }
            }

            clock.Now = ts;
            await WriteAsync(stdout, record switch
            {
                { Status: { } online } => engine.OnGatewayStatus(record.Site, record.Gateway, online, record.Ts),
                { Event: { } e } => engine.OnEvents(record.Site, record.Gateway, [e]),
                { Reading: { } r } => engine.OnReadings(record.Site, record.Gateway, [r], record.Profile),
                _ => [],
            });
            await WriteAsync(stdout, engine.Tick(ts));
            lastTick = ts;
        }

        return bad == 0 ? 0 : 1;
    }

    private static async Task WriteAsync(TextWriter stdout, IReadOnlyList<AlarmTransition> transitions)
    {
        foreach (var t in transitions)
        {
            if (t.Kind == AlarmTransitionKind.Updated)
            {
                continue;
            }

            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                var a = t.Alarm;
                json.WriteStartObject();
                json.WriteString("ts", Timestamps.Format(t.At));
                json.WriteString("alarm", a.Id);
                json.WriteString("rule", a.Rule);
                json.WriteString("site", a.Site);
                json.WriteString("gateway", a.Gateway);
                if (a.Device is not null)
                {
                    json.WriteString("device", a.Device);
                }

                json.WriteString("severity", a.Severity.ToWire());
                json.WriteString("transition", t.Kind.ToWire());
                json.WriteNumber("level", a.EscalationLevel);
                json.WriteEndObject();
            }

            await stdout.WriteLineAsync(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }
    }

    private sealed record Record(DateTimeOffset Ts, string Site, string Gateway, string? Profile)
    {
        public Reading? Reading { get; init; }

        public DeviceEvent? Event { get; init; }

        public bool? Status { get; init; }
    }

    private static bool TryRead(string line, out Record record, out string problem)
    {
        record = null!;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            problem = $"not JSON: {ex.Message}";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            string? Text(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "a record must be a JSON object";
                return false;
            }

            if (!Timestamps.TryParse(Text("ts"), out var ts))
            {
                problem = "`ts` must be an RFC 3339 timestamp with an offset";
                return false;
            }

            var site = Text("site");
            var gateway = Text("gateway");
            if (!Identifier.IsValid(site) || !Identifier.IsValid(gateway))
            {
                problem = "`site` and `gateway` are required identifiers";
                return false;
            }

            var profile = Text("profile");
            var device = Text("device");
            if (Text("status") is { } status)
            {
                if (status is not ("online" or "offline"))
                {
                    problem = "`status` must be online or offline";
                    return false;
                }

                record = new Record(ts, site!, gateway!, profile) { Status = status == "online" };
                problem = string.Empty;
                return true;
            }

            if (!Identifier.IsValid(device))
            {
                problem = "`device` is required for readings and events";
                return false;
            }

            if (root.TryGetProperty("event", out var e))
            {
                string? EventText(string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                if (EventText("type") is not { } typeText || !WireNames.TryParseEventType(typeText, out var type))
                {
                    problem = "`event.type` must be an event type of the wire contract";
                    return false;
                }

                if (EventText("state") is not ("active" or "cleared") || EventText("state") is not { } stateText)
                {
                    problem = "`event.state` must be active or cleared";
                    return false;
                }

                record = new Record(ts, site!, gateway!, profile)
                {
                    Event = new DeviceEvent(device!, type, stateText == "active" ? EventState.Active : EventState.Cleared, ts)
                    {
                        Point = EventText("point"),
                        Zone = EventText("zone"),
                        Label = EventText("label"),
                    },
                };
                problem = string.Empty;
                return true;
            }

            if (Text("metric") is not { } metricText || !Metrics.TryNormalize(metricText, out var metric))
            {
                problem = $"`metric` must be one of {string.Join(", ", Metrics.All)}";
                return false;
            }

            if (!root.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
            {
                problem = "`value` must be a finite number";
                return false;
            }

            record = new Record(ts, site!, gateway!, profile) { Reading = new Reading(device!, metric, number, ts) };
            problem = string.Empty;
            return true;
        }
    }

    /// <summary>The replay's clock: whatever simulated time the records have reached.</summary>
    private sealed class SimulatedClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
