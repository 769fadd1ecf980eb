using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>
/// A school's cold stores and lab fridge on a fake clock at noon (Asia/Shanghai) of today, with a rules file that gives
/// them their storage profiles, and a morning of readings published over MQTT whose statistics are worked out by hand
/// below. Shared by the room API tests and the room page's browser test.
/// </summary>
public sealed class RoomScenario : IAsyncLifetime
{
    public const string Site = "school-61";

    /// <summary>The rules file: the built-in rules plus profiles; a server-room rule (a room too) and a humidity-only one (not).</summary>
    public const string RulesYaml = """
        defaults: true
        rules:
          - name: server-room-heat
            profile: server-room
            metric: temperature
            detector: level
            raise: { above: 35, for: 2m }
            clear: { at_or_below: 32, for: 10m }
            severity: minor
          - name: hall-damp
            profile: hall
            metric: humidity
            detector: level
            raise: { above: 80, for: 30m }
            clear: { at_or_below: 75, for: 10m }
            severity: warning
        profiles:
          - devices: "canteen-fridge-*"
            profile: cold-storage
          - devices: "canteen-freezer-*"
            profile: freezer
          - devices: "lab3-fridge-*"
            profile: lab-fridge
          - devices: "rack-*"
            profile: server-room
          - devices: "hall-*"
            profile: hall
        """;

    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private string? _rulesFile;

    /// <summary>Noon today in the school's time zone: the platform's clock for the whole test.</summary>
    public static DateTimeOffset Noon { get; } = new(DateTimeOffset.UtcNow.ToOffset(China).Date.AddHours(12), China);

    /// <summary>Today's local midnight (UTC+8, no daylight saving).</summary>
    public static DateTimeOffset Midnight => Noon.AddHours(-12);

    public FakeTimeProvider Time { get; } = new(Noon);

    internal RunningPlatform Platform { get; private set; } = null!;

    /// <summary>A local time of today (hh:mm[:ss]) as an instant.</summary>
    public static DateTimeOffset At(string localTime) => Midnight + TimeSpan.Parse(localTime, CultureInfo.InvariantCulture);

    public static string Format(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// canteen-fridge-1 (cold-storage, normal 0..8 °C). Out of range today: 2 min carried over midnight from yesterday's
    /// 23:55 (12.0, held until the 00:02 reading), 08:10 and 08:15 (5 min each, until the next reading), 09:00 (-0.5: 10 min,
    /// the longest a minute's state holds; the next reading is at 11:58) = 22 min. The 08:30 minute has 8.6 and 7.0, mean 7.8:
    /// in range, but 8.6 is a reading (not the maximum: 10.5 is). Lowest -0.5, highest 10.5 (yesterday's 12.0 does not
    /// count), 11 readings today, the current value 2.0 at 11:59.
    /// </summary>
    public static readonly (string Device, string Metric, DateTimeOffset Ts, double Value)[] Readings =
    [
        ("canteen-fridge-1", "temperature", At("-00:05"), 12.0),
        ("canteen-fridge-1", "temperature", At("00:02"), 5.0),
        ("canteen-fridge-1", "temperature", At("08:00"), 4.0),
        ("canteen-fridge-1", "temperature", At("08:05"), 4.5),
        ("canteen-fridge-1", "temperature", At("08:10"), 9.5),
        ("canteen-fridge-1", "temperature", At("08:15"), 10.5),
        ("canteen-fridge-1", "temperature", At("08:20"), 6.0),
        ("canteen-fridge-1", "temperature", At("08:30:10"), 8.6),
        ("canteen-fridge-1", "temperature", At("08:30:40"), 7.0),
        ("canteen-fridge-1", "temperature", At("09:00"), -0.5),
        ("canteen-fridge-1", "temperature", At("11:58"), 3.0),
        ("canteen-fridge-1", "temperature", At("11:59"), 2.0),

        // canteen-freezer-1 (freezer, above -12 °C is out): 11:00 at -11.0 is out for 10 min (the hold); -18.0 .. -11.0.
        ("canteen-freezer-1", "temperature", At("10:00"), -18.0),
        ("canteen-freezer-1", "temperature", At("11:00"), -11.0),
        ("canteen-freezer-1", "temperature", At("11:30"), -17.5),

        // lab3-fridge-1 (lab-fridge, normal 2..8 °C, raises after 5 min): warm since 11:51, live readings (within the
        // engine's 10-minute live window), so its alarm is raised. Out 11:51→11:53→11:56→11:59→12:00 = 9 min.
        ("lab3-fridge-1", "temperature", At("11:00"), 5.0),
        ("lab3-fridge-1", "temperature", At("11:51"), 9.0),
        ("lab3-fridge-1", "temperature", At("11:53"), 9.2),
        ("lab3-fridge-1", "temperature", At("11:56"), 9.4),
        ("lab3-fridge-1", "temperature", At("11:59"), 9.6),

        // A server rack (a room: its profile has a level rule on temperature), a hall (humidity rule only) and a
        // classroom (no profile): only the rack is a room.
        ("rack-1", "temperature", At("11:59"), 24.0),
        ("hall-1", "temperature", At("11:59"), 18.0),
        ("hall-1", "humidity", At("11:59"), 60.0),
        ("classroom-101", "temperature", At("11:59"), 21.0),
    ];

    public async Task InitializeAsync()
    {
        _rulesFile = Path.Combine(Directory.CreateTempSubdirectory("campus-rooms-").FullName, "rules.yaml");
        await File.WriteAllTextAsync(_rulesFile, RulesYaml);
        Platform = await RunningPlatform.StartWithAsync(builder => builder.Services.AddSingleton<TimeProvider>(Time), $"--Campus:Rules:File={_rulesFile}");

        // One message per device, readings in time order (as a gateway sends them).
        await using (var gateway = await Platform.ConnectGatewayAsync())
        {
            var seq = 0;
            foreach (var device in Readings.GroupBy(r => r.Device))
            {
                var items = string.Join(",", device.Select(r =>
                    $$"""{"device":"{{r.Device}}","metric":"{{r.Metric}}","value":{{r.Value.ToString(CultureInfo.InvariantCulture)}},"ts":"{{Format(r.Ts)}}"}"""));
                await gateway.PublishAsync($"campus/v1/{Site}/gw-1/telemetry", $$"""{"seq":{{++seq}},"ts":"{{Format(Noon)}}","readings":[{{items}}]}""");
            }
        }

        await Eventually.True(
            async () =>
            {
                var rooms = (await Platform.Http.GetFromJsonAsync<JsonObject>($"/api/rooms?site={Site}"))!["rooms"]!.AsArray();
                return rooms.Count == 4 && rooms.Sum(r => (long?)r!["today"]?["count"] ?? 0) == 11 + 3 + 5 + 1;
            },
            "every room's readings stored");
        await Eventually.True(
            async () => (await Platform.GetAlarmsAsync($"?site={Site}")).Any(a => (string?)a!["device"] == "lab3-fridge-1" && (string?)a["rule"] == "lab-fridge"),
            "the lab fridge's alarm raised");
    }

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        if (_rulesFile is not null)
        {
            Directory.Delete(Path.GetDirectoryName(_rulesFile)!, recursive: true);
        }
    }
}
