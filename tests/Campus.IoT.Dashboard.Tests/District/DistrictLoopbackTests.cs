using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Ingest;
using Campus.IoT.Tests.Common;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit.Abstractions;

namespace Campus.IoT.Dashboard.Tests.District;

/// <summary>
/// The district tier on loopback, every part a real process or server: Mosquitto, PostgreSQL (alarms, audit, escalation
/// scheduler, hazards), Redis (cluster membership, SignalR backplane, sign-in keys), two <c>campus-ingest</c> processes on
/// one shared subscription and two rules/dashboard nodes (Orleans silos). Mid-stream one of each is killed with SIGKILL;
/// the ingest is started again (as its restart policy does), the node is not. Then: every reading the gateways published
/// is stored exactly once; every alarm is raised exactly once, including a held temperature excursion that began on the
/// dead node and completed on the survivor (its window rebuilt); every escalation step is taken exactly once (audit
/// trail and webhook calls); both dashboards saw every alarm raised while they were up, the survivor every later one.
/// </summary>
public sealed class DistrictLoopbackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Sites = 6;
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private const string Password = "district-admin-password-1";

    private readonly MosquittoBroker _broker = new();
    private readonly RedisServer _redis = new();
    private readonly string _root = Directory.CreateTempSubdirectory("campus-district-").FullName;
    private readonly List<DotnetProcess> _processes = [];
    private WebhookReceiver _webhooks = null!;
    private string _alarmsDb = null!;

    public async Task InitializeAsync()
    {
        await _broker.StartOwnAsync();
        await _redis.StartAsync();
        _alarmsDb = await PostgresServer.CreateDatabaseAsync();
        _webhooks = await WebhookReceiver.StartAsync(Secret);
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        await _webhooks.DisposeAsync();
        await _redis.DisposeAsync();
        await _broker.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Temp data; best effort.
        }
    }

    [Fact]
    public async Task Killing_an_ingest_and_a_rules_node_mid_stream_loses_and_doubles_nothing()
    {
        var hazardsDb = await PostgresServer.CreateDatabaseAsync();
        var rules = Path.Combine(_root, "rules.yaml");
        await File.WriteAllTextAsync(rules, RulesFile);
        var cluster = $"t{Guid.NewGuid():N}"[..12];
        var ingestGroup = $"i{Guid.NewGuid():N}"[..12];
        var ingests = Enumerable.Range(1, 2).Select(i => Process("ingest-" + i, "campus-ingest.dll",
            $"--Campus:Mqtt:Broker={_broker.Uri}", $"--Campus:InstanceId=ingest-{cluster}-{i}", $"--Campus:Ingest:SharedGroup={ingestGroup}")).ToList();
        var nodes = Enumerable.Range(1, 2).Select(i => Process("node-" + i, "Campus.IoT.Dashboard.dll",
            $"--Campus:Mqtt:Broker={_broker.Uri}",
            $"--Campus:InstanceId=node-{cluster}-{i}",
            // The nodes' own embedded ingest stores a copy on its own shared subscription; the count below is the ingest tier's.
            $"--Campus:Ingest:SharedGroup=d{cluster}",
            "--Campus:Cluster:Enabled=true",
            $"--Campus:Cluster:Redis={_redis.Configuration}",
            $"--Campus:Cluster:ClusterId={cluster}",
            $"--Campus:Cluster:SiloPort={FreePort.Next()}",
            $"--Campus:Cluster:GatewayPort={FreePort.Next()}",
            "--Campus:Cluster:AdvertisedAddress=127.0.0.1",
            "--Campus:Alarms:Provider=postgres",
            $"--Campus:Alarms:ConnectionString={_alarmsDb}",
            $"--Campus:Escalation:ConnectionString={_alarmsDb}",
            "--Campus:Hazards:Provider=postgres",
            $"--Campus:Hazards:ConnectionString={hazardsDb}",
            $"--Campus:Auth:Database={Path.Combine(_root, "auth.db")}",
            $"--Campus:Rules:File={rules}",
            $"--Campus:Notify:Webhooks:duty:Url={_webhooks.Url}",
            $"--Campus:Notify:Webhooks:duty:Secret={Secret}",
            "--Campus:Notify:Recipients:safety-officer:Webhooks:0=duty",
            "--Campus:Notify:Recipients:district-duty-office:Webhooks:0=duty")).ToList();

        foreach (var process in ingests.Concat(nodes))
        {
            await process.StartAsync();
        }

        var (http1, cookies1) = RunningPlatform.Client(nodes[0].BaseAddress);
        var (http2, cookies2) = RunningPlatform.Client(nodes[1].BaseAddress);
        await SignInAdminAsync(nodes[0], http1);
        await RunningPlatform.SignInAsync(http2, "admin", Password);
        await using var hub1 = await HubAsync(nodes[0], cookies1);
        await using var hub2 = await HubAsync(nodes[1], cookies2);

        // Every school's engine is running somewhere before the stream starts (the keeper wakes the schools it knows;
        // the first readings make the others known).
        await using var gateways = await TestMqtt.ConnectAsync(_broker.Host, _broker.Port);
        var seq = new long[Sites];
        var published = 0;
        var start = DateTimeOffset.UtcNow;
        async Task TelemetryAsync(double fridge)
        {
            var now = DateTimeOffset.UtcNow;
            for (var s = 0; s < Sites; s++)
            {
                var readings = string.Join(",", Enumerable.Range(1, 4).Select(d => Reading($"fridge-{d}", d == 1 ? fridge : 4.0, now)));
                await gateways.PublishAsync($"campus/v1/{Site(s)}/gw-1/telemetry", $$"""{"seq":{{++seq[s]}},"ts":"{{Format(now)}}","readings":[{{readings}}]}""");
                published += 4;
            }
        }

        async Task SmokeAsync(string device)
        {
            var now = Format(DateTimeOffset.UtcNow);
            for (var s = 0; s < Sites; s++)
            {
                await gateways.PublishAsync($"campus/v1/{Site(s)}/gw-1/events", $$"""{"seq":{{++seq[s]}},"ts":"{{now}}","events":[{"device":"{{device}}","type":"smoke","state":"active","ts":"{{now}}"}]}""");
            }
        }

        await TelemetryAsync(4.0);
        await Eventually.True(() => nodes.Sum(n => n.Lines("taken over on node").Count) >= Sites, "every school's engine activated", TimeSpan.FromSeconds(60));

        // Phase 1, both nodes up: a smoke alarm in every school, seen on both dashboards.
        await SmokeAsync("smoke-1");
        foreach (var hub in new[] { hub1, hub2 })
        {
            await Eventually.True(() => hub.Raised("smoke-1").Count == Sites, "both dashboards show every school's smoke-1 alarm", TimeSpan.FromSeconds(60));
        }

        // Each node's API answers for the whole district: the same open alarms (one shared store), and every school's
        // devices in the sensor health directory (fed by the node's alerting subscription, which receives every school).
        foreach (var http in new[] { http1, http2 })
        {
            var open = (await http.GetFromJsonAsync<JsonArray>("/api/alarms?limit=500"))!;
            Assert.Equal(Sites, open.Count(a => a!["device"]!.GetValue<string>() == "smoke-1"));
            for (var s = 0; s < Sites; s++)
            {
                var devices = (await http.GetFromJsonAsync<JsonObject>($"/api/devices?site={Site(s)}"))!["devices"]!.AsArray();
                Assert.Equal(["fridge-1", "fridge-2", "fridge-3", "fridge-4"], devices.Select(d => d!["device"]!.GetValue<string>()).Where(d => d.StartsWith("fridge-", StringComparison.Ordinal)).Order());
            }
        }

        // The fridge-1 excursion starts (12 °C against 0–8 °C held 20 s): its window begins on whichever node runs the school.
        var stream = System.Diagnostics.Stopwatch.StartNew();
        while (stream.Elapsed < TimeSpan.FromSeconds(8))
        {
            await TelemetryAsync(12.0);
            await Task.Delay(500);
        }

        // Kill the node that runs more schools, and one ingest, mid-stream.
        var victim = nodes.OrderByDescending(n => n.Lines("taken over on node").Count).First();
        var survivor = nodes.Single(n => n != victim);
        var moved = victim.Lines("taken over on node").Select(SiteOf).Distinct().ToList();
        Assert.NotEmpty(moved);
        output.WriteLine($"killing {victim.Name} (schools {string.Join(", ", moved)}) and ingest-1");
        var killedAt = DateTimeOffset.UtcNow;
        await victim.KillAsync();
        await ingests[0].KillAsync();
        var survivorHub = victim == nodes[0] ? hub2 : hub1;

        stream.Restart();
        var restarted = false;
        while (stream.Elapsed < TimeSpan.FromSeconds(22))
        {
            await TelemetryAsync(stream.Elapsed < TimeSpan.FromSeconds(14) ? 12.0 : 4.0);
            await Task.Delay(500);
            if (!restarted && stream.Elapsed > TimeSpan.FromSeconds(3))
            {
                await ingests[0].StartAsync();
                restarted = true;
            }
        }

        // Phase 2, after the kill: a second smoke alarm in every school, raised by the survivor.
        await SmokeAsync("smoke-2");
        await TelemetryAsync(4.0);

        // Every school moved to the survivor.
        await Eventually.True(() => moved.All(site => survivor.Lines($"School {site} taken over on node").Count > 0), "the dead node's schools taken over", TimeSpan.FromSeconds(60));
        var takenOver = moved.Select(site => LineTime(survivor.Lines($"School {site} taken over on node")[^1])).Max();
        output.WriteLine($"schools moved within {(takenOver - killedAt).TotalSeconds:F1} s of the kill");

        // Alarms: exactly one per (school, device) and rule, none missed.
        await Eventually.True(() => survivorHub.Raised("smoke-2").Count == Sites, "the survivor's dashboard shows every smoke-2 alarm", TimeSpan.FromSeconds(60));
        await Eventually.True(() => survivorHub.Raised("fridge-1").Count == Sites, "the survivor's dashboard shows every fridge-1 alarm", TimeSpan.FromSeconds(60));
        var alarms = await AlarmRowsAsync();
        foreach (var s in Enumerable.Range(0, Sites).Select(Site))
        {
            Assert.Equal(1, alarms.Count(a => a.Site == s && a.Device == "smoke-1"));
            Assert.Equal(1, alarms.Count(a => a.Site == s && a.Device == "smoke-2"));
            Assert.Equal(1, alarms.Count(a => a.Site == s && a.Device == "fridge-1" && a.Rule == "cold-test"));
            Assert.DoesNotContain(alarms, a => a.Site == s && a.Device is "fridge-2" or "fridge-3" or "fridge-4");
        }

        // Escalation: each smoke alarm climbs to level 2 (15 s, 30 s), every step once, across the kill.
        var smoke = alarms.Where(a => a.Device is "smoke-1" or "smoke-2").ToList();
        await Eventually.True(async () => (await AlarmRowsAsync()).Where(a => a.Device is "smoke-1" or "smoke-2").All(a => a.Level == 2), "every smoke alarm at level 2", TimeSpan.FromSeconds(90));
        var steps = await EscalationStepsAsync();
        foreach (var alarm in smoke)
        {
            Assert.Equal(2, steps.Count(s => s == alarm.Id));
        }

        // A step fired twice would be a second notification (another id) for the same alarm and level.
        await Eventually.True(() => WebhookSteps().Count >= smoke.Count * 2, "a webhook call for every step", TimeSpan.FromSeconds(60));
        var calls = WebhookSteps();
        Assert.Equal(smoke.Count * 2, calls.Count);
        Assert.Equal(calls.Count, calls.Distinct().Count());

        // Readings: every one the gateways published, stored by the ingest tier exactly once.
        await Eventually.True(() => CountReadings(ingests) == published, $"{published} readings stored by the ingest tier", TimeSpan.FromSeconds(60));
        Assert.Equal(published, CountDistinctReadings(ingests));
        output.WriteLine($"{published} readings, {alarms.Count} alarms, {steps.Count} escalation steps; started {start:O}");
    }

    private const string RulesFile = """
        escalations:
          - name: fire
            levels:
              - after: 0s
                notify: [guard-room]
              - after: 15s
                notify: [safety-officer]
              - after: 30s
                notify: [district-duty-office]
        rules:
          - name: cold-test
            profile: cold-test
            metric: temperature
            detector: level
            raise: { outside: [0, 8], for: 20s }
            clear: { inside: [0.5, 7.5], for: 5s }
            severity: major
        profiles:
          - devices: "fridge-*"
            profile: cold-test
        """;

    private static string Site(int s) => $"district-{s + 1:00}";

    private static string Format(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Reading(string device, double value, DateTimeOffset ts) =>
        $$"""{"device":"{{device}}","metric":"temperature","value":{{value.ToString(CultureInfo.InvariantCulture)}},"ts":"{{Format(ts)}}"}""";

    private static string SiteOf(string line) => line.Split("School ")[1].Split(' ')[0];

    /// <summary>The UTC time stamp a log line starts with (see <see cref="DotnetProcess"/>'s console format).</summary>
    private static DateTimeOffset LineTime(string line) => DateTimeOffset.Parse(line.Split(' ')[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private DotnetProcess Process(string name, string dll, params string[] settings)
    {
        var directory = Path.Combine(_root, name);
        Directory.CreateDirectory(directory);
        var process = new DotnetProcess(name, dll, directory, FreePort.Next(), [$"--Campus:DataDir={directory}", .. settings]);
        _processes.Add(process);
        return process;
    }

    private static async Task SignInAdminAsync(DotnetProcess node, HttpClient http)
    {
        var line = await Eventually.Get(() => Task.FromResult(node.Lines("one-time password ") is [var first, ..] ? first : null), "the first admin's one-time password in the log", TimeSpan.FromSeconds(30));
        var password = line.Split("one-time password ")[1].Split(' ')[0];
        await RunningPlatform.SignInAsync(http, "admin", password);
        using var change = await http.PostAsJsonAsync("/api/auth/password", new { current = password, @new = Password });
        change.EnsureSuccessStatusCode();
    }

    private static async Task<Hub> HubAsync(DotnetProcess node, System.Net.CookieContainer cookies)
    {
        var connection = new HubConnectionBuilder().WithUrl(new Uri(node.BaseAddress, "/hubs/live"), o => o.Cookies = cookies).Build();
        var hub = new Hub(connection);
        await connection.StartAsync();
        await connection.InvokeAsync("JoinSite", "*");
        return hub;
    }

    private sealed record AlarmRow(string Id, string Site, string? Device, string Rule, int Level);

    private async Task<List<AlarmRow>> AlarmRowsAsync()
    {
        await using var connection = new NpgsqlConnection(_alarmsDb);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, site, device, rule, escalation_level FROM alarms", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<AlarmRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new AlarmRow(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), Convert.ToInt32(reader.GetValue(4), CultureInfo.InvariantCulture)));
        }

        return rows;
    }

    private async Task<List<string>> EscalationStepsAsync()
    {
        await using var connection = new NpgsqlConnection(_alarmsDb);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT alarm_id FROM alarm_audit WHERE transition = 'escalated'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>(alarm, level) of every distinct webhook notification received (a retry repeats its notification id).</summary>
    private List<(string Alarm, int Level)> WebhookSteps() =>
        [.. _webhooks.Requests.DistinctBy(r => r.NotificationId)
            .Select(r => JsonDocument.Parse(r.Body).RootElement)
            .Where(b => b.GetProperty("transition").GetString() == "escalated")
            .Select(b => (b.GetProperty("alarm").GetProperty("id").GetString()!, b.GetProperty("level").GetInt32()))];

    private static long CountReadings(IEnumerable<DotnetProcess> ingests) =>
        ingests.Sum(i => SqliteReadingStore.ReadAll(StorePath(i)).Count);

    /// <summary>Distinct (site, device, metric, ts) over both ingest stores.</summary>
    private static long CountDistinctReadings(IEnumerable<DotnetProcess> ingests) =>
        ingests.SelectMany(i => SqliteReadingStore.ReadAll(StorePath(i))).DistinctBy(r => (r.Site, r.Device, r.Metric, r.Ts)).Count();

    private static string StorePath(DotnetProcess ingest) => Path.Combine(ingest.WorkingDirectory, "readings.db");

    /// <summary>A live-hub client that keeps every alarm change it receives.</summary>
    private sealed class Hub : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private readonly List<JsonElement> _alarms = [];

        public Hub(HubConnection connection)
        {
            _connection = connection;
            connection.On<JsonElement>("alarmChanged", a =>
            {
                lock (_alarms)
                {
                    _alarms.Add(a.Clone());
                }
            });
        }

        /// <summary>Distinct alarm ids raised for <paramref name="device"/> that this dashboard was told about.</summary>
        public IReadOnlyList<string> Raised(string device)
        {
            lock (_alarms)
            {
                return [.. _alarms.Where(a => a.GetProperty("device").GetString() == device).Select(a => a.GetProperty("id").GetString()!).Distinct()];
            }
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
