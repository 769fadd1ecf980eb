using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Dashboard.Tests.Api;
using Campus.IoT.Telemetry;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Campus.IoT.Dashboard.Tests.Browser;

/// <summary>
/// The district sensor-health page (<c>health.html</c>) in Debian's chromium: the district admin signs in, the page flags
/// a school whose gateway went offline (its MQTT Last Will), drills down school → building → device, follows a live
/// <c>deviceHealthChanged</c>, and switches to English. A second test loads 500 schools × 200 devices and records how long
/// the school list takes to render (reported in docs/benchmarks.md; never asserted).
/// </summary>
public sealed class SensorHealthViewTests(ITestOutputHelper output) : IAsyncLifetime
{
    private RunningPlatform _platform = null!;
    private Chromium _chromium = null!;

    public async Task InitializeAsync()
    {
        _chromium = await Chromium.LaunchAsync();
        _platform = await RunningPlatform.StartAsync(null, null, "--Campus:Sites:school-01:Name=No.1 Middle School / 第一中学");
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _platform.DisposeAsync();
    }

    [Fact]
    public async Task The_health_view_flags_an_offline_gateway()
    {
        await using (var gateway = await _platform.ConnectGatewayAsync())
        {
            var now = Now();
            await gateway.PublishAsync("campus/v1/school-01/gw-1/telemetry", DeviceEndpointsTests.Telemetry(1, now, ("lab3-fridge-1", "temperature", 4.4), ("lab3-fridge-1", "battery", 91), ("lab3-fridge-1", "rssi", -68), ("canteen-fridge-1", "temperature", 3.1), ("classroom-101", "temperature", 21.5), ("classroom-101", "humidity", 48)));
            await gateway.PublishAsync("campus/v1/school-01/gw-1/status", $$"""{"state":"online","ts":"{{now}}","version":"1.4.0"}""", retain: true);
            await gateway.PublishAsync("campus/v1/school-02/gw-8/telemetry", DeviceEndpointsTests.Telemetry(1, now, ("lab1-fridge-1", "temperature", 5.2), ("lab1-fridge-1", "rssi", -95)));
            await gateway.PublishAsync("campus/v1/school-02/gw-8/status", $$"""{"state":"online","ts":"{{now}}","version":"1.4.0"}""", retain: true);
            await gateway.PublishAsync("campus/v1/school-02/gw-9/telemetry", DeviceEndpointsTests.Telemetry(1, now, ("kitchen-heat-1", "temperature", 31), ("smoke-3f-lab", "battery", 15)));
            await gateway.PublishAsync("campus/v1/school-03/gw-1/telemetry", DeviceEndpointsTests.Telemetry(1, now, ("hall-temp-1", "temperature", 19)));
            await gateway.PublishAsync("campus/v1/school-03/gw-1/telemetry", DeviceEndpointsTests.Telemetry(5, now, ("hall-temp-1", "temperature", 19.1)));
        }

        // school-02's gw-9 goes away: its Last Will marks it offline.
        await using (var gw9 = await DeviceEndpointsTests.LastWillGateway.ConnectAsync(_platform.BrokerHost, _platform.BrokerPort, "school-02", "gw-9"))
        {
            await gw9.DropAsync();
        }

        var directory = _platform.Services.GetRequiredService<DeviceDirectory>();
        await Eventually.True(
            () => directory.Gateways("school-02").Any(g => g.Gateway == "gw-9" && g.State == GatewayState.Offline) && directory.Facts("school-03").Count == 1,
            "the readings and gw-9's will heard");

        var errors = new List<string>();
        var page = await _chromium.NewPageAsync(errors);
        await Chromium.SignInAsync(page, _platform.BaseAddress, "admin", RunningPlatform.AdminPassword, "/health.html");

        // The district list: three schools, school-02 flagged with its offline gateway.
        var rows = page.GetByTestId("site-row");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await Assertions.Expect(page.GetByTestId("connection-status")).ToHaveAttributeAsync("data-state", "connected");
        var school02 = page.Locator("[data-testid=site-row][data-site=school-02]");
        var flag = school02.GetByTestId("site-status");
        await Assertions.Expect(flag).ToBeVisibleAsync();
        await Assertions.Expect(flag).ToHaveAttributeAsync("data-status", "gateway-offline");
        await Assertions.Expect(flag).ToHaveTextAsync("网关离线");
        await Assertions.Expect(school02.GetByTestId("site-gateways-offline")).ToHaveTextAsync("1");
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-site", "school-02");   // worst first
        await Assertions.Expect(page.Locator("[data-testid=site-row][data-site=school-01] [data-testid=site-status]")).ToHaveTextAsync("正常");
        await Assertions.Expect(page.GetByTestId("total-gateways-offline")).ToContainTextAsync("1");
        await Assertions.Expect(page.Locator("[data-testid=site-row][data-site=school-03] td").Nth(9)).ToHaveTextAsync("3");   // seq gaps
        await Assertions.Expect(school02).ToContainTextAsync("刚刚");
        await Chromium.AssertPageNavAsync(page, "/health.html");
        await Chromium.AssertNoRawTextAsync(page);
        await Chromium.ScreenshotAsync(page, "health.png");

        // Filter and sort.
        await page.GetByTestId("site-problems").CheckAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await page.GetByTestId("site-problems").UncheckAsync();
        await page.GetByTestId("site-filter").FillAsync("school-03");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        // A school with a name (Campus:Sites) is shown by it, and found by it.
        await page.GetByTestId("site-filter").FillAsync("第一");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-site", "school-01");
        await Assertions.Expect(rows.First.Locator("td.name a")).ToHaveTextAsync("No.1 Middle School / 第一中学");
        await page.GetByTestId("site-filter").FillAsync(string.Empty);
        await page.GetByTestId("sort-site").ClickAsync();
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-site", "school-01");
        await page.GetByTestId("sort-site").ClickAsync();
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-site", "school-03");

        // School → its gateways and buildings → a building's devices → one device.
        await school02.ClickAsync();
        await Assertions.Expect(page.GetByTestId("school-view")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("district-view")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByTestId("school-status")).ToHaveAttributeAsync("data-status", "gateway-offline");
        var gw9Status = page.Locator("[data-testid=gateway-row][data-gateway=gw-9] [data-testid=gateway-status]");
        await Assertions.Expect(gw9Status).ToHaveAttributeAsync("data-status", "offline");
        await Assertions.Expect(gw9Status).ToHaveTextAsync("离线");
        await Assertions.Expect(page.GetByTestId("building-row")).ToHaveCountAsync(3);
        await Assertions.Expect(page.GetByTestId("device-row")).ToHaveCountAsync(3);

        await page.Locator("[data-testid=building-row][data-building=smoke]").ClickAsync();
        await Assertions.Expect(page.GetByTestId("crumb-building")).ToHaveTextAsync("smoke");
        var device = page.GetByTestId("device-row");
        await Assertions.Expect(device).ToHaveCountAsync(1);
        await Assertions.Expect(device).ToHaveAttributeAsync("data-device", "smoke-3f-lab");
        await Assertions.Expect(device.GetByTestId("device-status")).ToHaveAttributeAsync("data-status", "offline");
        await Assertions.Expect(device).ToContainTextAsync("网关离线");
        await Assertions.Expect(device).ToContainTextAsync("电量低");
        await Assertions.Expect(device).ToContainTextAsync("15 %");
        await device.ClickAsync();
        var detail = page.GetByTestId("device-detail");
        await Assertions.Expect(detail).ToBeVisibleAsync();
        await Assertions.Expect(detail.Locator("[data-metric=battery]")).ToContainTextAsync("15 %");
        await Chromium.ScreenshotAsync(page, "health-school.png");

        // Live: gw-9 comes back; the open school follows the deviceHealthChanged push.
        await using (var gateway = await _platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-02/gw-9/status", $$"""{"state":"online","ts":"{{Now()}}","version":"1.4.1"}""", retain: true);
        }

        await Assertions.Expect(gw9Status).ToHaveAttributeAsync("data-status", "online");
        await Assertions.Expect(device.GetByTestId("device-status")).ToHaveAttributeAsync("data-status", "faulty");   // low battery remains

        await page.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(gw9Status).ToHaveTextAsync("Online");
        await Assertions.Expect(device.GetByTestId("device-status")).ToHaveTextAsync("Faulty");
        await Chromium.AssertPageNavAsync(page, "/health.html");
        await Chromium.AssertNoRawTextAsync(page);
        await Chromium.ScreenshotAsync(page, "health-school-en.png");

        await page.GetByTestId("crumb-district").ClickAsync();
        await Assertions.Expect(page.GetByTestId("district-view")).ToBeVisibleAsync();
        await Assertions.Expect(school02.GetByTestId("site-status")).ToHaveAttributeAsync("data-status", "faulty");
        await page.GetByTestId("lang-toggle").ClickAsync();   // back to zh-CN for the next test's browser state
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>
    /// 500 schools × 200 devices (4 gateways of 50 each; temperature, battery, signal): put into the device directory
    /// in-process (publishing 100,000 devices' readings over MQTT would only measure ingest), then the page opened.
    /// </summary>
    [Fact]
    public async Task The_district_list_renders_500_schools_of_200_devices()
    {
        const int schools = 500, gateways = 4, perGateway = 50;
        var directory = _platform.Services.GetRequiredService<DeviceDirectory>();
        var now = DateTimeOffset.UtcNow;
        var fill = Stopwatch.StartNew();
        for (var s = 1; s <= schools; s++)
        {
            var site = $"school-{s:000}";
            for (var g = 1; g <= gateways; g++)
            {
                var readings = new List<Reading>(perGateway * 3);
                for (var d = 1; d <= perGateway; d++)
                {
                    var id = $"b{g}-sensor-{d:00}";
                    // Every 25th school has one low battery (faulty); every 50th has gw-2 offline (50 devices offline).
                    var battery = s % 25 == 0 && g == 1 && d == 7 ? 12 : 60 + ((s + d) % 40);
                    readings.Add(new Reading(id, Metrics.Temperature, 20 + (d % 5), now));
                    readings.Add(new Reading(id, Metrics.Battery, battery, now));
                    readings.Add(new Reading(id, Metrics.Rssi, -60 - ((s * d) % 35), now));
                }

                await directory.ReadingsStoredAsync(site, $"gw-{g}", readings, CancellationToken.None);
                var state = s % 50 == 0 && g == 2 ? GatewayState.Offline : GatewayState.Online;
                directory.GatewayStatus(site, $"gw-{g}", new GatewayStatus(state, now) { Version = "1.4.0" });
            }
        }

        fill.Stop();
        var monitor = _platform.Services.GetRequiredService<DeviceHealthMonitor>();
        await monitor.EvaluateAsync(CancellationToken.None);   // the first pass pushes every new device: done before the page opens
        var passes = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            await monitor.EvaluateAsync(CancellationToken.None);   // steady-state passes: nothing changed
            passes.Add(monitor.LastPassDuration.TotalMilliseconds);
        }

        // Baseline for the pass: only reading every device's facts out of the directory, no classification.
        var walks = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var walk = Stopwatch.StartNew();
            var count = 0;
            foreach (var site in directory.Sites())
            {
                count += directory.Facts(site).Count;
            }

            walks.Add(walk.Elapsed.TotalMilliseconds);
            Assert.Equal(schools * gateways * perGateway, count);
        }

        var api = Stopwatch.StartNew();
        var body = await _platform.Http.GetStringAsync("/api/sites");
        api.Stop();
        var apiWarm = Stopwatch.StartNew();
        body = await _platform.Http.GetStringAsync("/api/sites");
        apiWarm.Stop();

        var errors = new List<string>();
        var page = await _chromium.NewPageAsync(errors);
        await Chromium.SignInAsync(page, _platform.BaseAddress, "admin", RunningPlatform.AdminPassword, "/health.html");
        var table = page.GetByTestId("site-table");
        var samples = new List<Timing>();
        for (var load = 0; load < 5; load++)
        {
            if (load > 0)
            {
                await page.GotoAsync("about:blank");
                await page.GotoAsync(new Uri(_platform.BaseAddress, "/health.html").ToString());
            }

            // A cheap poll (Playwright's locators walk the whole DOM on every check, which would compete with the page).
            await page.WaitForFunctionAsync("() => document.getElementById('site-table')?.hasAttribute('data-render-ms')", null, new PageWaitForFunctionOptions { PollingInterval = 100 });
            samples.Add(new Timing(
                await Attribute(table, "data-render-ms"),
                await Attribute(table, "data-fetch-ms"),
                await Attribute(table, "data-build-ms"),
                await Attribute(table, "data-layout-ms"),
                await page.EvaluateAsync<double>("() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1")));
        }

        // Correctness, not speed: every school, and the district's counts.
        await Assertions.Expect(page.GetByTestId("site-row")).ToHaveCountAsync(schools);
        await Assertions.Expect(page.GetByTestId("total-schools")).ToContainTextAsync("500");
        await Assertions.Expect(page.GetByTestId("total-sensors")).ToContainTextAsync("100000");
        await Assertions.Expect(page.GetByTestId("total-gateways")).ToContainTextAsync("2000");
        await Assertions.Expect(page.GetByTestId("total-gateways-offline")).ToContainTextAsync("10");
        await Assertions.Expect(page.GetByTestId("total-offline")).ToContainTextAsync("500");
        await Assertions.Expect(page.GetByTestId("total-faulty")).ToContainTextAsync("20");
        await Assertions.Expect(page.Locator("[data-testid=site-row][data-site=school-050] [data-testid=site-status]")).ToHaveAttributeAsync("data-status", "gateway-offline");
        Directory.CreateDirectory("screenshots");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine("screenshots", "health-500.png") });

        // One school's drill-down: 200 devices.
        await page.Locator("[data-testid=site-row][data-site=school-125]").ClickAsync();
        await Assertions.Expect(page.GetByTestId("device-row")).ToHaveCountAsync(200);
        await Assertions.Expect(page.GetByTestId("building-row")).ToHaveCountAsync(4);
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        var report = string.Create(CultureInfo.InvariantCulture, $"""
            500 schools x 200 devices = 100,000 devices, 2,000 gateways (directory filled in-process in {fill.ElapsedMilliseconds} ms)
            health monitor pass over every device, steady state, 5 passes: median {passes.Order().ElementAt(2):F1} ms (min {passes.Min():F1}, max {passes.Max():F1}); baseline, reading the directory only: median {walks.Order().ElementAt(2):F1} ms
            GET /api/sites: {body.Length / 1024} KiB, first {api.ElapsedMilliseconds} ms, again {apiWarm.ElapsedMilliseconds} ms (test client, {Build} build)
            page, 5 loads, median (min..max) ms: render {Median(samples, t => t.Render)} (navigation start -> 500 rows painted), fetch {Median(samples, t => t.Fetch)} (GET /api/sites + JSON), build {Median(samples, t => t.Build)} (rows built), layout {Median(samples, t => t.Layout)}; baseline, the page shell's first contentful paint {Median(samples, t => t.FirstPaint)}
            samples (render/fetch/build/layout/first paint): {string.Join("; ", samples.Select(t => $"{t.Render:F0}/{t.Fetch:F0}/{t.Build:F0}/{t.Layout:F0}/{t.FirstPaint:F0}"))}
            """);
        output.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine("screenshots", "health-render.txt"), report);
    }

    private static async Task<double> Attribute(ILocator locator, string name) =>
        double.Parse(await locator.GetAttributeAsync(name) ?? "NaN", CultureInfo.InvariantCulture);

    private static string Median(List<Timing> samples, Func<Timing, double> pick)
    {
        var sorted = samples.Select(pick).Order().ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Count / 2]:F0} ({sorted[0]:F0}..{sorted[^1]:F0})");
    }

#if DEBUG
    private const string Build = "Debug";
#else
    private const string Build = "Release";
#endif

    private sealed record Timing(double Render, double Fetch, double Build, double Layout, double FirstPaint);

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
