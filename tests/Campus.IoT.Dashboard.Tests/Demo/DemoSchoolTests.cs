using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Alerting;
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
        var engine = new AlarmEngine(time);
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

        // Nothing else: the demo's normal readings (fridges, freezer, classrooms) raise no alarm.
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
    }
}
