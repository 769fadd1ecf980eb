using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>
/// <c>GET /api/rooms</c> and <c>GET /api/readings/export.csv</c> through the whole platform (<see cref="RoomScenario"/>: a
/// fake clock at noon in Asia/Shanghai, readings published over MQTT): today's lowest/highest and minutes out of range as
/// worked out by hand, the band and open alarm, what a canteen manager may see, the CSV file.
/// </summary>
public sealed class RoomApiTests(RoomScenario scenario) : IClassFixture<RoomScenario>
{
    private RunningPlatform Platform => scenario.Platform;

    private static string Q(DateTimeOffset t) => Uri.EscapeDataString(RoomScenario.Format(t));

    [Fact]
    public async Task Rooms_have_the_current_value_today_s_min_max_and_minutes_out_of_range_the_band_and_open_alarms()
    {
        var body = (await Platform.Http.GetFromJsonAsync<JsonObject>($"/api/rooms?site={RoomScenario.Site}"))!;
        Assert.Equal("Asia/Shanghai", (string?)body["timeZone"]);
        Assert.Equal(480, (int)body["utcOffsetMinutes"]!);
        Assert.Equal(RoomScenario.Format(RoomScenario.Noon), (string?)body["now"]);
        Assert.Equal(RoomScenario.Format(RoomScenario.Midnight), (string?)body["dayStart"]);

        var rooms = body["rooms"]!.AsArray().Select(r => r!.AsObject()).ToDictionary(r => (string)r["device"]!);
        // The humidity-only hall and the classroom without a profile are not rooms.
        Assert.Equal(["canteen-freezer-1", "canteen-fridge-1", "lab3-fridge-1", "rack-1"], rooms.Keys.Order(StringComparer.Ordinal));

        var fridge = rooms["canteen-fridge-1"];
        Assert.Equal(("cold-storage", "cold-storage", "temperature", "°C", "gw-1"), ((string?)fridge["profile"], (string?)fridge["rule"], (string?)fridge["metric"], (string?)fridge["unit"], (string?)fridge["gateway"]));
        Assert.Equal(2.0, (double)fridge["value"]!);
        Assert.Equal(RoomScenario.Format(RoomScenario.At("11:59")), (string?)fridge["ts"]);
        Assert.True((bool)fridge["inBand"]!);
        Assert.Equal((0.0, 8.0), ((double)fridge["raiseWhenOutside"]!["low"]!, (double)fridge["raiseWhenOutside"]!["high"]!));
        Assert.Null(fridge["raiseWhenInside"]);
        Assert.Equal(600, (long)fridge["raiseForSeconds"]!);
        Assert.Equal((-0.5, 10.5, 11L, 22L), ((double)fridge["today"]!["min"]!, (double)fridge["today"]!["max"]!, (long)fridge["today"]!["count"]!, (long)fridge["today"]!["minutesOutOfRange"]!));
        Assert.Empty(fridge["alarms"]!.AsArray());

        var freezer = rooms["canteen-freezer-1"];
        Assert.Null(freezer["raiseWhenOutside"]!["low"]);
        Assert.Equal(-12.0, (double)freezer["raiseWhenOutside"]!["high"]!);
        Assert.Equal(900, (long)freezer["raiseForSeconds"]!);
        Assert.Equal((-18.0, -11.0, 3L, 10L), ((double)freezer["today"]!["min"]!, (double)freezer["today"]!["max"]!, (long)freezer["today"]!["count"]!, (long)freezer["today"]!["minutesOutOfRange"]!));
        Assert.True((bool)freezer["inBand"]!);

        var lab = rooms["lab3-fridge-1"];
        Assert.Equal(9.6, (double)lab["value"]!);
        Assert.False((bool)lab["inBand"]!);
        Assert.Equal((5.0, 9.6, 5L, 9L), ((double)lab["today"]!["min"]!, (double)lab["today"]!["max"]!, (long)lab["today"]!["count"]!, (long)lab["today"]!["minutesOutOfRange"]!));
        var alarm = Assert.Single(lab["alarms"]!.AsArray())!;
        Assert.Equal(("lab-fridge", "active_unack", "major"), ((string?)alarm["rule"], (string?)alarm["state"], (string?)alarm["severity"]));

        var rack = rooms["rack-1"];
        Assert.Equal(("server-room", "server-room-heat"), ((string?)rack["profile"], (string?)rack["rule"]));
        Assert.Equal(35.0, (double)rack["raiseWhenOutside"]!["high"]!);
        Assert.Equal(0L, (long)rack["today"]!["minutesOutOfRange"]!);

        // Every site of the admin (no site given) holds the same rooms; another school's are not there.
        var all = (await Platform.Http.GetFromJsonAsync<JsonObject>("/api/rooms"))!["rooms"]!.AsArray();
        Assert.Equal(4, all.Count);
        using var bad = await Platform.Http.GetAsync("/api/rooms?site=School%201");
        await AssertProblem(bad, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_canteen_manager_sees_only_the_canteen_rooms_and_gets_403_for_the_lab_fridge()
    {
        using var manager = await Platform.UserAsync("canteen-61", "canteen_manager", [RoomScenario.Site], ["canteen-*"]);

        var rooms = (await manager.GetFromJsonAsync<JsonObject>("/api/rooms"))!["rooms"]!.AsArray();
        Assert.Equal(["canteen-freezer-1", "canteen-fridge-1"], rooms.Select(r => (string)r!["device"]!));
        Assert.Equal(22L, (long)rooms[1]!["today"]!["minutesOutOfRange"]!);

        var range = $"from={Q(RoomScenario.At("08:00"))}&to={Q(RoomScenario.At("09:00"))}";
        using (var history = await manager.GetAsync($"/api/readings?device=canteen-fridge-1&metric=temperature&{range}"))
        {
            Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        }

        using (var csv = await manager.GetAsync($"/api/readings/export.csv?device=canteen-fridge-1&metric=temperature&{range}"))
        {
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        }

        using var lab = await manager.GetAsync($"/api/readings?site={RoomScenario.Site}&device=lab3-fridge-1&metric=temperature&{range}");
        await AssertProblem(lab, HttpStatusCode.Forbidden);
        using var labCsv = await manager.GetAsync($"/api/readings/export.csv?site={RoomScenario.Site}&device=lab3-fridge-1&metric=temperature&{range}");
        await AssertProblem(labCsv, HttpStatusCode.Forbidden);
        using var otherSchool = await manager.GetAsync("/api/rooms?site=school-62");
        await AssertProblem(otherSchool, HttpStatusCode.Forbidden);
        using var otherSchoolCsv = await manager.GetAsync($"/api/readings/export.csv?site=school-62&device=canteen-fridge-1&metric=temperature&{range}");
        await AssertProblem(otherSchoolCsv, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_csv_export_is_utf8_with_bom_chinese_and_english_headers_local_and_utc_times_and_an_attachment()
    {
        var from = RoomScenario.At("08:00");
        var to = RoomScenario.At("09:00");
        using var raw = await Platform.Http.GetAsync($"/api/readings/export.csv?site={RoomScenario.Site}&device=canteen-fridge-1&metric=temperature&from={Q(from)}&to={Q(to)}");
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        Assert.Equal("text/csv", raw.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", raw.Content.Headers.ContentType?.CharSet);
        var day = from.ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        Assert.Equal("attachment", raw.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"{RoomScenario.Site}_canteen-fridge-1_temperature_{day}-0800_{day}-0900.csv", raw.Content.Headers.ContentDisposition?.FileNameStar);

        var bytes = await raw.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("时间 Time (Asia/Shanghai),UTC 时间 Time (UTC),学校 Site,设备 Device,指标 Metric,单位 Unit,平均 Mean,最低 Min,最高 Max,样本数 Count", lines[0]);
        var date = from.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        // Raw readings in [08:00, 09:00): one row each, mean = min = max.
        Assert.Equal(
            [
                $"{date} 08:00:00,{RoomScenario.Format(from)},{RoomScenario.Site},canteen-fridge-1,temperature,°C,4,4,4,1",
                $"{date} 08:05:00,{RoomScenario.Format(RoomScenario.At("08:05"))},{RoomScenario.Site},canteen-fridge-1,temperature,°C,4.5,4.5,4.5,1",
                $"{date} 08:10:00,{RoomScenario.Format(RoomScenario.At("08:10"))},{RoomScenario.Site},canteen-fridge-1,temperature,°C,9.5,9.5,9.5,1",
                $"{date} 08:15:00,{RoomScenario.Format(RoomScenario.At("08:15"))},{RoomScenario.Site},canteen-fridge-1,temperature,°C,10.5,10.5,10.5,1",
                $"{date} 08:20:00,{RoomScenario.Format(RoomScenario.At("08:20"))},{RoomScenario.Site},canteen-fridge-1,temperature,°C,6,6,6,1",
                $"{date} 08:30:10,{RoomScenario.Format(RoomScenario.At("08:30:10"))},{RoomScenario.Site},canteen-fridge-1,temperature,°C,8.6,8.6,8.6,1",
                $"{date} 08:30:40,{RoomScenario.Format(RoomScenario.At("08:30:40"))},{RoomScenario.Site},canteen-fridge-1,temperature,°C,7,7,7,1",
            ],
            lines[1..]);

        // Per 5 minutes: the 08:30 step holds two readings.
        var stepped = await Platform.Http.GetStringAsync($"/api/readings/export.csv?site={RoomScenario.Site}&device=canteen-fridge-1&metric=temperature&from={Q(from)}&to={Q(to)}&step=5m");
        var rows = stepped.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, rows.Length);
        Assert.Equal($"{date} 08:30:00,{RoomScenario.Format(RoomScenario.At("08:30"))},{RoomScenario.Site},canteen-fridge-1,temperature,°C,7.8,7,8.6,2", rows[^1]);
    }

    [Theory]
    [InlineData("/api/readings/export.csv?metric=temperature")]
    [InlineData("/api/readings/export.csv?device=canteen-fridge-1&metric=pressure")]
    [InlineData("/api/readings/export.csv?device=canteen-fridge-1&metric=temperature&from=yesterday")]
    [InlineData("/api/readings/export.csv?device=canteen-fridge-1&metric=temperature&step=5x")]
    [InlineData("/api/readings/export.csv?device=canteen-fridge-1&metric=temperature&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&step=1m")]
    public async Task Bad_exports_are_400_problems(string query)
    {
        using var response = await Platform.Http.GetAsync(query);
        var problem = await AssertProblem(response, HttpStatusCode.BadRequest);
        if (query.Contains("step=1m", StringComparison.Ordinal))
        {
            Assert.Contains("50000", (string?)problem["detail"], StringComparison.Ordinal);
        }
    }

    private static async Task<JsonObject> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((int)status, (int?)problem["status"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));
        return problem;
    }
}
