using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Campus.IoT.Dashboard.Tests.Api;

/// <summary>
/// The sensor-health routes over real MQTT traffic: readings and gateway status (a real MQTT Last Will) published to the
/// platform's broker, <c>GET /api/sites</c>, <c>/api/health/sensors</c>, <c>/api/devices</c>, each school's users
/// kept to their school, and <c>deviceHealthChanged</c> pushed as statuses change (on a fake clock for time-driven ones).
/// </summary>
public sealed class DeviceEndpointsTests : PlatformTest
{
    [Fact]
    public async Task A_gateway_whose_last_will_says_offline_counts_offline_with_its_devices_and_its_school_shows_it()
    {
        await using var hub = await Platform.ConnectHubAsync();
        await using (var gateway = await Platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-41/gw-1/telemetry", Telemetry(1, Now(), ("lab3-fridge-1", "temperature", 4.2), ("lab3-fridge-1", "battery", 87), ("lab3-fridge-1", "rssi", -71), ("canteen-fridge-1", "temperature", 3.9)));
            await gateway.PublishAsync("campus/v1/school-41/gw-2/telemetry", Telemetry(1, Now(), ("classroom-101", "temperature", 21), ("classroom-101", "battery", 12)));
            await gateway.PublishAsync("campus/v1/school-41/gw-2/telemetry", Telemetry(4, Now(), ("classroom-101", "temperature", 21.2)));   // seq 2 and 3 lost
            await gateway.PublishAsync("campus/v1/school-41/gw-2/status", $$"""{"state":"online","ts":"{{Now()}}","version":"1.4.0"}""", retain: true);
            await gateway.PublishAsync("campus/v1/school-42/gw-1/telemetry", Telemetry(1, Now(), ("lab1-fridge-1", "temperature", 5)));
        }

        await Eventually.True(async () => (await SiteAsync("school-41"))?["sensors"]?["total"]?.GetValue<int>() == 3, "school-41's three devices heard");

        // gw-1 connects as a gateway does, with its Last Will, reports online, and drops with the will: the broker publishes
        // {"state":"offline","ts":…} retained on its status topic.
        await using (var gw1 = await LastWillGateway.ConnectAsync(Platform.BrokerHost, Platform.BrokerPort, "school-41", "gw-1"))
        {
            await gw1.DropAsync();
        }

        var pushed = await hub.NextHealthChangeAsync(m => m.GetProperty("site").GetString() == "school-41"
            && m.GetProperty("changes").EnumerateArray().Any(c => c.GetProperty("kind").GetString() == "gateway" && c.GetProperty("id").GetString() == "gw-1" && c.GetProperty("status").GetString() == "offline"));
        Assert.Equal(1, pushed.GetProperty("summary").GetProperty("gateways").GetProperty("offline").GetInt32());
        Assert.Contains(pushed.GetProperty("changes").EnumerateArray(), c => c.GetProperty("id").GetString() == "lab3-fridge-1" && c.GetProperty("status").GetString() == "offline" && c.GetProperty("building").GetString() == "lab3");

        var sites = (await Platform.Http.GetFromJsonAsync<JsonObject>("/api/sites"))!;
        Assert.Equal(["school-41", "school-42"], sites["sites"]!.AsArray().Select(s => (string?)s!["site"]));
        Assert.Equal((20.0, -90.0), ((double)sites["lowBatteryPercent"]!, (double)sites["weakSignalDbm"]!));
        var school = sites["sites"]![0]!;
        Assert.Equal((2, 1, 1, 0), Counts(school["gateways"]!, "total", "online", "offline", "unknown"));
        Assert.Equal((3, 0, 0, 1, 2), Counts(school["sensors"]!, "total", "online", "stale", "faulty", "offline"));
        Assert.Equal(2, (long)school["seqGaps"]!);
        Assert.Equal((12.0, -71.0), ((double)school["lowestBattery"]!, (double)school["weakestRssi"]!));
        Assert.NotNull((string?)school["lastSeen"]);
        Assert.Equal((1, 1, 0), Counts(sites["sites"]![1]!["sensors"]!, "total", "online", "offline"));

        var detail = (await Platform.Http.GetFromJsonAsync<JsonObject>("/api/health/sensors?site=school-41"))!;
        Assert.Equal(
            [("gw-1", "offline", 2), ("gw-2", "online", 1)],
            detail["gateways"]!.AsArray().Select(g => ((string)g!["gateway"]!, (string)g["status"]!, (int)g["devices"]!)));
        Assert.Equal("1.4.0", (string?)detail["gateways"]![1]!["version"]);
        Assert.Equal(2, (long)detail["gateways"]![1]!["seqGaps"]!);
        var devices = detail["devices"]!.AsArray().ToDictionary(d => (string)d!["device"]!, d => d!);
        Assert.Equal(["canteen-fridge-1", "classroom-101", "lab3-fridge-1"], devices.Keys);
        Assert.Equal(("offline", "canteen", "gw-1", "offline"), Fields(devices["canteen-fridge-1"], "status", "building", "gateway", "gatewayStatus"));
        Assert.Equal(["gateway-offline"], devices["canteen-fridge-1"]["reasons"]!.AsArray().Select(r => (string?)r));
        Assert.Equal(("faulty", "classroom"), Fields(devices["classroom-101"], "status", "building"));
        Assert.Equal(["battery-low"], devices["classroom-101"]["reasons"]!.AsArray().Select(r => (string?)r));
        Assert.Equal((12.0, 2L), ((double)devices["classroom-101"]["battery"]!, (long)devices["classroom-101"]["seqGaps"]!));
        Assert.Equal((87.0, -71.0), ((double)devices["lab3-fridge-1"]["battery"]!, (double)devices["lab3-fridge-1"]["rssi"]!));

        var offlineOnly = (await Platform.Http.GetFromJsonAsync<JsonObject>("/api/health/sensors?site=school-41&status=offline,stale"))!;
        Assert.Equal(["canteen-fridge-1", "lab3-fridge-1"], offlineOnly["devices"]!.AsArray().Select(d => (string?)d!["device"]));

        var directory = (await Platform.Http.GetFromJsonAsync<JsonObject>("/api/devices?site=school-41"))!;
        var lab = directory["devices"]!.AsArray().Single(d => (string?)d!["device"] == "lab3-fridge-1")!;
        Assert.Equal(("lab3", "gw-1"), ((string?)lab["building"], (string?)lab["gateway"]));
        Assert.Equal((87.0, "%"), ((double)lab["metrics"]!["battery"]!["value"]!, (string?)lab["metrics"]!["battery"]!["unit"]));
        Assert.Equal((4.2, "°C"), ((double)lab["metrics"]!["temperature"]!["value"]!, (string?)lab["metrics"]!["temperature"]!["unit"]));

        await AssertProblemAsync(Platform.Http, "/api/health/sensors?site=school-41&status=broken", HttpStatusCode.BadRequest, "'broken' is not one of");
        await AssertProblemAsync(Platform.Http, "/api/health/sensors", HttpStatusCode.BadRequest, "site is required");
        await AssertProblemAsync(Platform.Http, "/api/devices?site=School_41", HttpStatusCode.BadRequest, "not a site identifier");

        // Back online: the gateway and its devices count online again, and the change is pushed.
        await using (var gateway = await Platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-41/gw-1/status", $$"""{"state":"online","ts":"{{Now()}}"}""", retain: true);
        }

        await hub.NextHealthChangeAsync(m => m.GetProperty("site").GetString() == "school-41"
            && m.GetProperty("changes").EnumerateArray().Any(c => c.GetProperty("id").GetString() == "gw-1" && c.GetProperty("status").GetString() == "online" && c.GetProperty("previous").GetString() == "offline"));
        Assert.Equal((2, 2, 0), Counts((await SiteAsync("school-41"))!["gateways"]!, "total", "online", "offline"));
    }

    [Fact]
    public async Task A_guard_of_one_school_sees_only_that_school_and_is_refused_another_with_problem_json()
    {
        await using (var gateway = await Platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-a/gw-1/telemetry", Telemetry(1, Now(), ("lab3-fridge-1", "temperature", 4), ("canteen-fridge-1", "temperature", 3)));
            await gateway.PublishAsync("campus/v1/school-b/gw-1/telemetry", Telemetry(1, Now(), ("lab1-fridge-1", "temperature", 5)));
        }

        await Eventually.True(async () => await SiteAsync("school-a") is not null && await SiteAsync("school-b") is not null, "both schools heard");

        var guard = await Platform.UserAsync("guard-a", "guard", ["school-a"]);
        var sites = (await guard.GetFromJsonAsync<JsonObject>("/api/sites"))!;
        Assert.Equal(["school-a"], sites["sites"]!.AsArray().Select(s => (string?)s!["site"]));
        Assert.Equal(2, (int)sites["sites"]![0]!["sensors"]!["total"]!);

        await AssertProblemAsync(guard, "/api/health/sensors?site=school-b", HttpStatusCode.Forbidden, "school-b");
        await AssertProblemAsync(guard, "/api/devices?site=school-b", HttpStatusCode.Forbidden, "school-b");
        // Their only school is the default.
        var own = (await guard.GetFromJsonAsync<JsonObject>("/api/health/sensors"))!;
        Assert.Equal("school-a", (string?)own["summary"]!["site"]);
        Assert.DoesNotContain("school-b", await guard.GetStringAsync("/api/devices"), StringComparison.Ordinal);

        // A user of two schools sees both, also one that has not reported yet (all zero).
        var officer = await Platform.UserAsync("officer-az", "safety_officer", ["school-a", "school-z"]);
        var two = (await officer.GetFromJsonAsync<JsonObject>("/api/sites"))!["sites"]!.AsArray();
        Assert.Equal(["school-a", "school-z"], two.Select(s => (string?)s!["site"]));
        Assert.Equal((0, 0, 0), Counts(two[1]!["sensors"]!, "total", "online", "offline"));
        Assert.Null((string?)two[1]!["lastSeen"]);

        // A lab manager counts only their rooms' devices.
        var lab = await Platform.UserAsync("lab-a", "lab_manager", ["school-a"], ["lab3-*"]);
        var labSites = (await lab.GetFromJsonAsync<JsonObject>("/api/sites"))!["sites"]!.AsArray();
        Assert.Equal(1, (int)labSites.Single()!["sensors"]!["total"]!);
        var labDevices = (await lab.GetFromJsonAsync<JsonObject>("/api/health/sensors?site=school-a"))!["devices"]!.AsArray();
        Assert.Equal(["lab3-fridge-1"], labDevices.Select(d => (string?)d!["device"]));

        // Signed out: 401, problem+json.
        var (anonymous, _) = RunningPlatform.Client(Platform.BaseAddress);
        using (anonymous)
        {
            await AssertProblemAsync(anonymous, "/api/sites", HttpStatusCode.Unauthorized, null);
        }
    }

    [Fact]
    public async Task A_silent_device_is_pushed_stale_then_offline_and_online_again_on_the_platform_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var platform = await RunningPlatform.StartWithAsync(builder => builder.Services.AddSingleton<TimeProvider>(time));
        await using var hub = await platform.ConnectHubAsync();
        await using var gateway = await platform.ConnectGatewayAsync();
        const string topic = "campus/v1/school-61/gw-1/telemetry";

        // Two readings 10 s apart: an interval of 10 s, so stale after max(1 min, 20 s) and offline after max(5 min, 30 s).
        await gateway.PublishAsync(topic, Telemetry(1, Format(time.GetUtcNow()), ("fridge-1", "temperature", 4)));
        await Eventually.True(async () => await DeviceAsync(platform, "school-61", "fridge-1") is not null, "the first reading");
        time.Advance(TimeSpan.FromSeconds(10));
        await gateway.PublishAsync(topic, Telemetry(2, Format(time.GetUtcNow()), ("fridge-1", "temperature", 4.1)));
        await Eventually.True(async () => (double?)(await DeviceAsync(platform, "school-61", "fridge-1"))?["intervalSeconds"] == 10, "the interval learnt");
        Assert.Equal("online", (string?)(await DeviceAsync(platform, "school-61", "fridge-1"))!["status"]);

        time.Advance(TimeSpan.FromSeconds(61));
        var stale = await hub.NextHealthChangeAsync(m => Change(m, "fridge-1") is { } c && c.GetProperty("status").GetString() == "stale");
        Assert.Equal(["late"], Change(stale, "fridge-1")!.Value.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(1, stale.GetProperty("summary").GetProperty("sensors").GetProperty("stale").GetInt32());

        // Five minutes of silence: offline by the health view's own threshold and by the sensor-offline alarm it raises.
        time.Advance(TimeSpan.FromSeconds(240));
        var offline = await hub.NextHealthChangeAsync(m => Change(m, "fridge-1") is { } c && c.GetProperty("status").GetString() == "offline");
        Assert.Equal("stale", Change(offline, "fridge-1")!.Value.GetProperty("previous").GetString());
        await Eventually.True(
            async () => (await DeviceAsync(platform, "school-61", "fridge-1"))?["reasons"]?.AsArray().Select(r => (string?)r).SequenceEqual(["offline-alarm", "silent"]) == true,
            "the sensor-offline alarm counted");

        // It reports again: the alarm clears, the device is online at the next evaluation.
        await gateway.PublishAsync(topic, Telemetry(3, Format(time.GetUtcNow()), ("fridge-1", "temperature", 4.2)));
        await Eventually.True(async () => (string?)(await DeviceAsync(platform, "school-61", "fridge-1"))?["status"] == "online", "online again");
        time.Advance(TimeSpan.FromSeconds(10));
        var back = await hub.NextHealthChangeAsync(m => Change(m, "fridge-1") is { } c && c.GetProperty("status").GetString() == "online");
        Assert.Equal("offline", Change(back, "fridge-1")!.Value.GetProperty("previous").GetString());
    }

    private async Task<JsonNode?> SiteAsync(string site) =>
        (await Platform.Http.GetFromJsonAsync<JsonObject>("/api/sites"))!["sites"]!.AsArray().FirstOrDefault(s => (string?)s!["site"] == site);

    private static async Task<JsonNode?> DeviceAsync(RunningPlatform platform, string site, string device) =>
        (await platform.Http.GetFromJsonAsync<JsonObject>($"/api/health/sensors?site={site}"))!["devices"]!.AsArray().FirstOrDefault(d => (string?)d!["device"] == device);

    private static JsonElement? Change(JsonElement message, string id)
    {
        foreach (var c in message.GetProperty("changes").EnumerateArray())
        {
            if (c.GetProperty("id").GetString() == id)
            {
                return c;
            }
        }

        return null;
    }

    private static async Task AssertProblemAsync(HttpClient client, string url, HttpStatusCode status, string? detailContains)
    {
        using var answer = await client.GetAsync(url);
        Assert.Equal(status, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        if (detailContains is not null)
        {
            var problem = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
            Assert.Contains(detailContains, (string?)problem["detail"] ?? string.Empty, StringComparison.Ordinal);
        }
    }

    private static (int, int, int, int) Counts(JsonNode node, string a, string b, string c, string d) => ((int)node[a]!, (int)node[b]!, (int)node[c]!, (int)node[d]!);

    private static (int, int, int, int, int) Counts(JsonNode node, string a, string b, string c, string d, string e) => ((int)node[a]!, (int)node[b]!, (int)node[c]!, (int)node[d]!, (int)node[e]!);

    private static (int, int, int) Counts(JsonNode node, string a, string b, string c) => ((int)node[a]!, (int)node[b]!, (int)node[c]!);

    private static (string?, string?, string?, string?) Fields(JsonNode node, string a, string b, string c, string d) => ((string?)node[a], (string?)node[b], (string?)node[c], (string?)node[d]);

    private static (string?, string?) Fields(JsonNode node, string a, string b) => ((string?)node[a], (string?)node[b]);

    private static string Now() => Format(DateTimeOffset.UtcNow);

    private static string Format(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    internal static string Telemetry(long seq, string ts, params (string Device, string Metric, double Value)[] readings) =>
        $$"""{"seq":{{seq}},"ts":"{{ts}}","readings":[{{string.Join(",", readings.Select(r => $$"""{"device":"{{r.Device}}","metric":"{{r.Metric}}","value":{{r.Value.ToString(CultureInfo.InvariantCulture)}},"ts":"{{ts}}"}"""))}}]}""";

    /// <summary>A gateway's MQTT session as the gateway opens it: MQTT 5 with the Last Will of a retained offline status.</summary>
    internal sealed class LastWillGateway : IAsyncDisposable
    {
        private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

        public static async Task<LastWillGateway> ConnectAsync(string host, int port, string site, string gateway)
        {
            var session = new LastWillGateway();
            var topic = $"campus/v1/{site}/{gateway}/status";
            var result = await session._client.ConnectAsync(new MqttClientOptionsBuilder()
                .WithTcpServer(host, port)
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId($"{site}-{gateway}-{Guid.NewGuid():N}"[..40])
                .WithCleanStart(true)
                .WithWillTopic(topic)
                .WithWillPayload($$"""{"state":"offline","ts":"{{Now()}}"}""")
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build());
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            await session._client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload($$"""{"state":"online","ts":"{{Now()}}","version":"1.4.0"}""")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag(true)
                .Build());
            return session;
        }

        /// <summary>
        /// Leaves as a gateway that lost power would: the connection closes without a DISCONNECT, so the broker publishes the
        /// Last Will. (MQTTnet's server does not publish it for a DISCONNECT with reason 0x04, "with will message".)
        /// </summary>
        public Task DropAsync()
        {
            _client.Dispose();
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
