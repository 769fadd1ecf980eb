using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Dashboard.Api;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>The HTTP API's answers to good and bad requests, on one running platform.</summary>
public sealed class ApiTests : PlatformTest
{
    [Fact]
    public async Task Healthz_reports_every_part_up()
    {
        using var response = await Platform.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("ok", (string?)body["status"]);
        Assert.Equal("ok", (string?)body["checks"]!["broker"]);
        Assert.Equal("ok", (string?)body["checks"]!["ingest"]);
        Assert.Equal("ok", (string?)body["checks"]!["alerting"]);
    }

    [Fact]
    public async Task The_guard_room_page_and_its_scripts_are_served_from_the_host_itself()
    {
        var html = await Platform.Http.GetStringAsync("/");
        Assert.Contains("lang=\"zh-CN\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        using var signalr = await Platform.Http.GetAsync("/lib/signalr/signalr.min.js");
        Assert.Equal(HttpStatusCode.OK, signalr.StatusCode);
    }

    [Fact]
    public async Task Acknowledging_an_unknown_alarm_is_a_404_problem()
    {
        using var response = await Platform.Http.PostAsJsonAsync("/api/alarms/nope/ack", new { by = "guard" });
        await AssertProblem(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"by\":\"   \"}")]
    [InlineData("{\"by\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}")]
    public async Task Acknowledging_without_a_name_is_a_400_problem(string body)
    {
        var id = await RaiseAsync("ack-400");
        using var response = await Platform.Http.PostAsync($"/api/alarms/{id}/ack", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal("active_unack", (string?)(await Platform.Http.GetFromJsonAsync<JsonObject>($"/api/alarms/{id}"))!["state"]);
    }

    [Fact]
    public async Task Acknowledging_twice_is_a_409_problem_naming_the_state()
    {
        var id = await RaiseAsync("ack-409");
        using (var first = await Platform.Http.PostAsJsonAsync($"/api/alarms/{id}/ack", new { by = "guard" }))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var second = await Platform.Http.PostAsJsonAsync($"/api/alarms/{id}/ack", new { by = "guard" });
        var problem = await AssertProblem(second, HttpStatusCode.Conflict);
        Assert.Contains("active_ack", (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alarms_can_be_filtered_by_state_and_a_bad_filter_is_a_400_problem()
    {
        var id = await RaiseAsync("filter-1");
        Assert.Contains(await Platform.GetAlarmsAsync("?state=active_unack,active_ack"), a => (string?)a!["id"] == id);
        Assert.DoesNotContain(await Platform.GetAlarmsAsync("?state=cleared"), a => (string?)a!["id"] == id);
        Assert.Contains(await Platform.GetAlarmsAsync("?state=all"), a => (string?)a!["id"] == id);
        using var bad = await Platform.Http.GetAsync("/api/alarms?state=burning");
        await AssertProblem(bad, HttpStatusCode.BadRequest);
        using var badSite = await Platform.Http.GetAsync("/api/alarms?site=School%201");
        await AssertProblem(badSite, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/api/readings?metric=temperature")]
    [InlineData("/api/readings?device=d1")]
    [InlineData("/api/readings?device=d1&metric=pressure")]
    [InlineData("/api/readings?device=d1&metric=temperature&from=yesterday")]
    [InlineData("/api/readings?device=d1&metric=temperature&from=2026-11-28T10:00:00Z&to=2026-11-28T09:00:00Z")]
    [InlineData("/api/readings?device=d1&metric=temperature&step=0s")]
    [InlineData("/api/readings?device=d1&metric=temperature&step=5x")]
    [InlineData("/api/readings?device=d1&metric=temperature&from=2026-01-01T00:00:00Z&to=2026-11-28T00:00:00Z&step=1s")]
    public async Task Bad_history_queries_are_400_problems(string query)
    {
        using var response = await Platform.Http.GetAsync(query);
        await AssertProblem(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task History_is_returned_per_step_with_mean_min_max_and_count()
    {
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
        t0 = new DateTimeOffset(t0.Year, t0.Month, t0.Day, t0.Hour, t0.Minute, 0, TimeSpan.Zero);
        var readings = string.Join(",", Enumerable.Range(0, 6).Select(i =>
            $$"""{"device":"fridge-9","metric":"temperature","value":{{i}},"ts":"{{Format(t0.AddSeconds(20 * i))}}"}"""));
        await using var live = await Platform.ConnectHubAsync();
        await using (var gateway = await Platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-09/gw-1/telemetry", $$"""{"seq":1,"ts":"{{Scenarios.Now()}}","readings":[{{readings}}]}""");
        }

        var query = $"/api/readings?device=fridge-9&metric=temperature&from={Uri.EscapeDataString(Format(t0))}&to={Uri.EscapeDataString(Format(t0.AddMinutes(2)))}&step=1m";
        var series = await Eventually.Get(
            async () =>
            {
                var s = await Platform.Http.GetFromJsonAsync<JsonObject>(query);
                return s!["points"]!.AsArray().Sum(p => (long)p!["count"]!) == 6 ? s : null;
            },
            "six readings in history");
        Assert.Equal("°C", (string?)series["unit"]);

        // The stored readings were also pushed live to the site's watchers.
        var pushed = await live.NextReadingsAsync();
        Assert.Equal("school-09", pushed.GetProperty("site").GetString());
        Assert.Equal(6, pushed.GetProperty("readings").GetArrayLength());
        Assert.Equal("fridge-9", pushed.GetProperty("readings")[0].GetProperty("device").GetString());
        Assert.Equal(60, (long?)series["step"]);
        var points = series["points"]!.AsArray();
        Assert.Equal(2, points.Count);
        Assert.Equal(Format(t0), (string?)points[0]!["ts"]);
        Assert.Equal(1.0, (double)points[0]!["mean"]!);
        Assert.Equal(0.0, (double)points[0]!["min"]!);
        Assert.Equal(2.0, (double)points[0]!["max"]!);
        Assert.Equal(3, (long)points[0]!["count"]!);
        Assert.Equal(4.0, (double)points[1]!["mean"]!);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1d", 86400)]
    [InlineData("90", 90)]
    public void Steps_are_read_in_seconds_minutes_hours_or_days(string text, int seconds)
    {
        Assert.True(HistoryRequest.TryParseStep(text, out var step));
        Assert.Equal(TimeSpan.FromSeconds(seconds), step);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-5m")]
    [InlineData("m")]
    [InlineData("1w")]
    [InlineData("1.5h")]
    [InlineData("99999d")]
    public void Bad_steps_are_refused(string text)
    {
        Assert.False(HistoryRequest.TryParseStep(text, out _));
    }

    private async Task<string> RaiseAsync(string device)
    {
        await using (var gateway = await Platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-01/gw-1/events", Scenarios.SmokeEvent(1, device));
        }

        var alarm = await Eventually.Get(
            async () => (await Platform.GetAlarmsAsync()).FirstOrDefault(a => (string?)a!["device"] == device),
            $"the alarm of {device}");
        return (string)alarm["id"]!;
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

    private static string Format(DateTimeOffset ts) => ts.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
