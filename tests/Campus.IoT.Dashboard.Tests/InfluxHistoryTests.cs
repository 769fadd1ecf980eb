using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>
/// The single-machine host configured for InfluxDB 1.x instead of SQLite: telemetry published over MQTT is written to a
/// real InfluxDB 1.6.7 through <c>/write</c>, and <c>GET /api/readings</c> reads it back through InfluxQL, raw and per step.
/// </summary>
public sealed class InfluxHistoryTests(InfluxDb1Server influx) : IClassFixture<InfluxDb1Server>, IAsyncLifetime
{
    private RunningPlatform _platform = null!;

    public async Task InitializeAsync() => _platform = await RunningPlatform.StartAsync(
        extraArgs:
        [
            "--Campus:Storage:Kind=influxdb1",
            $"--Campus:Storage:Url={influx.Url}",
            $"--Campus:Storage:Database={influx.Database}",
        ]);

    [Fact]
    public async Task Readings_published_over_mqtt_are_read_back_from_influxdb_through_the_history_api()
    {
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
        t0 = new DateTimeOffset(t0.Year, t0.Month, t0.Day, t0.Hour, t0.Minute, 0, TimeSpan.Zero);
        var readings = string.Join(",", Enumerable.Range(0, 6).Select(i =>
            $$"""{"device":"fridge-7","metric":"temperature","value":{{i}},"ts":"{{Format(t0.AddSeconds(20 * i))}}"}"""));
        await using (var gateway = await _platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-07/gw-1/telemetry", $$"""{"seq":1,"ts":"{{Format(DateTimeOffset.UtcNow)}}","readings":[{{readings}}]}""");
        }

        var range = $"device=fridge-7&metric=temperature&site=school-07&from={Uri.EscapeDataString(Format(t0))}&to={Uri.EscapeDataString(Format(t0.AddMinutes(2)))}";
        var stepped = await Eventually.Get(
            async () =>
            {
                var s = await _platform.Http.GetFromJsonAsync<JsonObject>($"/api/readings?{range}&step=1m");
                return s!["points"]!.AsArray().Sum(p => (long)p!["count"]!) == 6 ? s : null;
            },
            "six readings in InfluxDB");
        var points = stepped["points"]!.AsArray();
        Assert.Equal(2, points.Count);
        Assert.Equal(Format(t0), (string?)points[0]!["ts"]);
        Assert.Equal([1.0, 0.0, 2.0, 3.0], [(double)points[0]!["mean"]!, (double)points[0]!["min"]!, (double)points[0]!["max"]!, (double)(long)points[0]!["count"]!]);
        Assert.Equal([4.0, 3.0, 5.0, 3.0], [(double)points[1]!["mean"]!, (double)points[1]!["min"]!, (double)points[1]!["max"]!, (double)(long)points[1]!["count"]!]);

        var raw = (await _platform.Http.GetFromJsonAsync<JsonObject>($"/api/readings?{range}"))!["points"]!.AsArray();
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (double)i), raw.Select(p => (double)p!["mean"]!));
        Assert.Equal(Format(t0.AddSeconds(20)), (string?)raw[1]!["ts"]);

        // The store really is InfluxDB: the points are there with their tags.
        var rows = await influx.SelectAsync("SELECT count(\"value\") FROM \"temperature\" WHERE \"device\" = 'fridge-7' AND \"site\" = 'school-07' AND \"gateway\" = 'gw-1'");
        Assert.Equal(6, Assert.Single(rows)["count"].GetInt64());
        var health = await _platform.Http.GetStringAsync("/healthz");
        Assert.Contains("\"store\":\"influxdb1\"", health, StringComparison.Ordinal);
    }

    public async Task DisposeAsync() => await _platform.DisposeAsync();

    private static string Format(DateTimeOffset ts) => ts.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
