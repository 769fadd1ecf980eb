using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Rules;
using Campus.IoT.Gateway.Simulation;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Dashboard.Tests.Demo;

public sealed class DemoSchoolTests
{
    [Fact]
    public void One_demo_cycle_raises_and_clears_each_kind_of_default_alarm()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero));
        // The rules --demo runs with: the built-in rules, and the demo's storage rooms assigned to their profiles.
        var parsed = RulesParser.Parse(File.ReadAllText(DemoRulesFile), DemoRulesFile);
        Assert.Empty(parsed.Errors);
        var rules = parsed.Rules!;
        Assert.Equal("cold-storage", rules.ProfileOf(DemoSchool.Site, "canteen-fridge-1"));
        Assert.Equal("freezer", rules.ProfileOf(DemoSchool.Site, "canteen-freezer-1"));
        Assert.Equal("lab-fridge", rules.ProfileOf(DemoSchool.Site, "lab3-fridge-1"));
        Assert.Equal("chem-store", rules.ProfileOf(DemoSchool.Site, "chem-store-1"));
        var engine = new AlarmEngine(time, rules: () => rules);
        var school = new DemoSchool();
        var log = new List<(TimeSpan At, AlarmTransition Transition)>();
        var start = time.GetUtcNow();

        for (var elapsed = TimeSpan.Zero; elapsed < DemoSchool.Cycle; elapsed += DemoSchool.Tick)
        {
            var (readings, events) = school.Step(time.GetUtcNow());
            Assert.All(readings, r => Assert.True(Telemetry.Identifier.IsValid(r.Device)));
            foreach (var t in engine.OnEvents(DemoSchool.Site, DemoSchool.Gateway, events).Concat(engine.OnReadings(DemoSchool.Site, DemoSchool.Gateway, readings)))
            {
                log.Add((time.GetUtcNow() - start, t));
            }

            time.Advance(DemoSchool.Tick);
        }

        (TimeSpan, string, string) Entry((TimeSpan At, AlarmTransition T) e) => (e.At, e.T.Alarm.Rule + ":" + e.T.Alarm.Device, e.T.Kind.ToWire());
        var entries = log.Select(Entry).ToList();
        Assert.Contains((TimeSpan.FromSeconds(15), "fire:smoke-3f-lab", "raised"), entries);
        Assert.Contains((TimeSpan.FromSeconds(75), "fire:smoke-3f-lab", "cleared"), entries);
        Assert.Contains((TimeSpan.FromSeconds(40), "panel-trouble:panel-main", "raised"), entries);
        Assert.Contains((TimeSpan.FromSeconds(160), "panel-trouble:panel-main", "cleared"), entries);
        Assert.Contains((TimeSpan.FromSeconds(180), "fixed-heat:kitchen-heat-1", "raised"), entries);

        // The spike (30 → 62 °C within one 5 s tick) is also a rate-of-rise alarm: the window needs half its 60 s first.
        Assert.Contains(entries, e => e.Item2 == "rate-of-rise:kitchen-heat-1" && e.Item3 == "raised" && e.Item1 >= TimeSpan.FromSeconds(180) && e.Item1 <= TimeSpan.FromSeconds(210));
        Assert.Contains(entries, e => e.Item2 == "fixed-heat:kitchen-heat-1" && e.Item3 == "cleared" && e.Item1 >= TimeSpan.FromSeconds(210 + 300));
        Assert.Contains((TimeSpan.FromSeconds(360), "fire:panel-main", "raised"), entries);
        Assert.Contains((TimeSpan.FromSeconds(420), "fire:panel-main", "cleared"), entries);

        // Nothing else: the demo's normal readings (fridges, freezer, lab fridge, chemical store, classrooms) raise no alarm
        // under their storage profiles.
        Assert.Equal(5, entries.Count(e => e.Item3 == "raised"));
    }

    [Fact]
    public async Task The_demo_flag_publishes_a_demo_school_over_mqtt_and_raises_its_first_alarm()
    {
        await using var platform = await RunningPlatform.StartAsync(null, null, "--demo");

        var alarm = await Eventually.Get(
            async () => (await platform.GetAlarmsAsync("?site=" + DemoSchool.Site)).FirstOrDefault(a => (string?)a!["device"] == "smoke-3f-lab"),
            "the demo's smoke alarm",
            TimeSpan.FromSeconds(90));
        Assert.Equal("critical", (string?)alarm["severity"]);

        var history = (await platform.Http.GetFromJsonAsync<JsonObject>("/api/readings?device=canteen-fridge-1&metric=temperature"))!;
        Assert.NotEmpty(history["points"]!.AsArray());
        Assert.All(history["points"]!.AsArray(), p => Assert.InRange((double)p!["mean"]!, 2.0, 6.0));

        // The cold-storage and lab page has the demo's rooms, each under its storage profile.
        var rooms = await Eventually.Get(
            async () =>
            {
                var answer = (await platform.Http.GetFromJsonAsync<JsonObject>("/api/rooms?site=" + DemoSchool.Site))!;
                var list = answer["rooms"]!.AsArray();
                return list.Count >= 5 ? list : null;
            },
            "the demo's five storage rooms",
            TimeSpan.FromSeconds(30));
        Assert.Equal(
            ["canteen-freezer-1:freezer", "canteen-fridge-1:cold-storage", "canteen-fridge-2:cold-storage", "chem-store-1:chem-store", "lab3-fridge-1:lab-fridge"],
            rooms.Select(r => (string?)r!["device"] + ":" + (string?)r["profile"]).Order(StringComparer.Ordinal));

        // History names the school and places the alarm (Campus:Sites in appsettings.json).
        var past = (await platform.Http.GetFromJsonAsync<JsonObject>("/api/alarms/history?site=" + DemoSchool.Site))!["alarms"]!.AsArray();
        var smoke = past.First(a => (string?)a!["device"] == "smoke-3f-lab")!.AsObject();
        Assert.Equal("演示学校 / Demo School", (string?)smoke["siteName"]);
        Assert.Equal("教学楼 / 3F / 化学实验室", (string?)smoke["location"]);
        Assert.True(smoke.ContainsKey("ackSeconds"));
    }

    private static string DemoRulesFile => Path.Combine(AppContext.BaseDirectory, "Demo", "demo-rules.yaml");
}
