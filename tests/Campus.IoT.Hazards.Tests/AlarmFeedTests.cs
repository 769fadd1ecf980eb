using Campus.IoT.Alerting;

namespace Campus.IoT.Hazards.Tests;

/// <summary>Alarms opening and extending hazards, link activity and the close-out rule; run once per provider.</summary>
public abstract class AlarmFeedTests : StoreFixture
{
    [Fact]
    public async Task A_critical_alarm_opens_a_fire_hazard_of_major_risk_linked_to_it()
    {
        var smoke = Alarm("a-smoke", AlarmSeverity.Critical, Start, device: "smoke-9", rule: "fire") with { Type = Telemetry.EventType.Smoke, Label = "3F lab corridor" };
        await RaiseAsync(smoke);

        var hazard = Assert.Single(await AllAsync());
        Assert.Equal(HazardSource.Alarm, hazard.Source);
        Assert.Equal(HazardCategory.Fire, hazard.Category);
        Assert.Equal(RiskLevel.Major, hazard.Risk);
        Assert.Equal(HazardStatus.Registered, hazard.Status);
        Assert.Equal("school-1", hazard.Site);
        Assert.Equal("smoke-9", hazard.Device);
        Assert.Equal("3F lab corridor", hazard.Location);
        Assert.Equal("消防安全报警：3F lab corridor（火警）", hazard.Title);
        Assert.StartsWith("报警 a-smoke（火警，规则 fire，级别 紧急）", hazard.Description, StringComparison.Ordinal);
        Assert.Equal(Start, hazard.FoundAt);
        var link = Assert.Single(hazard.Alarms);
        Assert.Equal("a-smoke", link.AlarmId);
        Assert.True(link.Active);
        Assert.Equal("critical", link.Severity);
        Assert.Equal(["create", "alarm_linked"], (await AuditAsync(hazard.Id)).Select(a => a.Action));
    }

    [Fact]
    public async Task Three_major_alarms_of_one_device_within_seven_days_open_a_hazard_and_two_do_not()
    {
        await RaiseAsync(Alarm("m1", AlarmSeverity.Major, Start));
        await RaiseAsync(Alarm("m2", AlarmSeverity.Major, Start.AddDays(3)));
        Assert.Empty(await AllAsync());
        // Another device's alarms do not count for this one.
        await RaiseAsync(Alarm("o1", AlarmSeverity.Major, Start.AddDays(4), device: "fridge-2"));
        Assert.Empty(await AllAsync());

        await RaiseAsync(Alarm("m3", AlarmSeverity.Major, Start.AddDays(6)));
        var hazard = Assert.Single(await AllAsync());
        Assert.Equal(HazardCategory.FoodSafety, hazard.Category);
        Assert.Equal(RiskLevel.Significant, hazard.Risk);
        Assert.Equal(["m1", "m2", "m3"], hazard.Alarms.OrderBy(a => a.RaisedAt).Select(a => a.AlarmId));
    }

    [Fact]
    public async Task Three_alarms_spread_over_eight_days_do_not_open_a_hazard()
    {
        await RaiseAsync(Alarm("s1", AlarmSeverity.Major, Start));
        await RaiseAsync(Alarm("s2", AlarmSeverity.Major, Start.AddDays(4)));
        await RaiseAsync(Alarm("s3", AlarmSeverity.Major, Start.AddDays(8)));
        Assert.Empty(await AllAsync());
    }

    [Fact]
    public async Task Repeats_add_to_the_open_hazard_and_the_same_alarm_twice_is_linked_once()
    {
        var first = Alarm("c1", AlarmSeverity.Critical, Start, device: "lab3-fridge-1", rule: "lab-fridge");
        await RaiseAsync(first);
        await RaiseAsync(first);
        await RaiseAsync(Alarm("c2", AlarmSeverity.Major, Start.AddHours(2), device: "lab3-fridge-1", rule: "lab-fridge"));

        var hazard = Assert.Single(await AllAsync());
        Assert.Equal(HazardCategory.LabChemicals, hazard.Category);
        Assert.Equal(["c1", "c2"], hazard.Alarms.OrderBy(a => a.RaisedAt).Select(a => a.AlarmId));
        Assert.Equal(2, hazard.Version);
        Assert.Equal(["create", "alarm_linked", "alarm_linked"], (await AuditAsync(hazard.Id)).Select(a => a.Action));
    }

    [Fact]
    public async Task Closing_is_refused_while_a_source_alarm_is_active_and_allowed_after_it_clears()
    {
        var alarm = Alarm("f1", AlarmSeverity.Critical, Start, device: "smoke-1", rule: "fire");
        await RaiseAsync(alarm);
        var hazard = Assert.Single(await AllAsync());
        await Store.UpdateAsync(hazard.Id, hazard.Version, new HazardPatch { Measures = "更换探测器", ResponsiblePerson = "李四", Deadline = new DateOnly(2026, 12, 1) }, "t", null, CancellationToken.None);
        await Store.TransitionAsync(hazard.Id, new HazardTransitionRequest(HazardAction.Start), "t", CancellationToken.None);
        await Store.TransitionAsync(hazard.Id, new HazardTransitionRequest(HazardAction.Submit), "t", CancellationToken.None);
        var auditBefore = (await AuditAsync(hazard.Id)).Count;

        var refused = await Store.TransitionAsync(hazard.Id, new HazardTransitionRequest(HazardAction.Verify, "ok", "王五"), "t", CancellationToken.None);
        Assert.Equal(HazardOutcomeKind.Illegal, refused.Kind);
        Assert.Contains("报警 f1 仍在报警中", refused.Reason, StringComparison.Ordinal);
        Assert.Contains("alarm f1 is still active", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(auditBefore, (await AuditAsync(hazard.Id)).Count);

        await ClearAsync(alarm);
        Assert.False(Assert.Single((await AllAsync())[0].Alarms).Active);
        Assert.Contains("alarm_cleared", (await AuditAsync(hazard.Id)).Select(a => a.Action));

        var verified = await Store.TransitionAsync(hazard.Id, new HazardTransitionRequest(HazardAction.Verify, "ok", "王五"), "t", CancellationToken.None);
        Assert.Equal(HazardOutcomeKind.Ok, verified.Kind);
        Assert.Equal(HazardStatus.Closed, verified.Hazard!.Status);
    }

    [Fact]
    public async Task After_the_hazard_is_closed_a_new_critical_alarm_opens_a_new_one()
    {
        var alarm = Alarm("x1", AlarmSeverity.Critical, Start, device: "smoke-2", rule: "fire", state: AlarmState.ActiveUnack);
        await RaiseAsync(alarm);
        await ClearAsync(alarm);
        var first = Assert.Single(await AllAsync());
        await Store.UpdateAsync(first.Id, first.Version, new HazardPatch { Measures = "m", ResponsiblePerson = "p", Deadline = new DateOnly(2026, 12, 1), Reinspector = "r" }, "t", null, CancellationToken.None);
        foreach (var action in new[] { HazardAction.Start, HazardAction.Submit, HazardAction.Verify })
        {
            Assert.Equal(HazardOutcomeKind.Ok, (await Store.TransitionAsync(first.Id, new HazardTransitionRequest(action), "t", CancellationToken.None)).Kind);
        }

        await RaiseAsync(Alarm("x2", AlarmSeverity.Critical, Start.AddDays(1), device: "smoke-2", rule: "fire"));
        var all = await AllAsync();
        Assert.Equal(2, all.Count);
        Assert.Equal("x2", Assert.Single(all[1].Alarms).AlarmId);
    }

    [Fact]
    public void Categories_and_risks_follow_the_alarm()
    {
        Assert.Equal(HazardCategory.Fire, HazardAlarmFeed.CategoryOf(Alarm("a", AlarmSeverity.Critical, Start, rule: "fixed-heat")));
        Assert.Equal(HazardCategory.FoodSafety, HazardAlarmFeed.CategoryOf(Alarm("a", AlarmSeverity.Major, Start, rule: "freezer")));
        Assert.Equal(HazardCategory.LabChemicals, HazardAlarmFeed.CategoryOf(Alarm("a", AlarmSeverity.Major, Start, rule: "chem-store")));
        Assert.Equal(HazardCategory.Facilities, HazardAlarmFeed.CategoryOf(Alarm("a", AlarmSeverity.Major, Start, rule: "panel-power-fault")));
        Assert.Equal(RiskLevel.Major, HazardAlarmFeed.RiskOf(AlarmSeverity.Critical));
        Assert.Equal(RiskLevel.Significant, HazardAlarmFeed.RiskOf(AlarmSeverity.Major));
        Assert.Equal(RiskLevel.General, HazardAlarmFeed.RiskOf(AlarmSeverity.Minor));
        Assert.Equal(RiskLevel.Low, HazardAlarmFeed.RiskOf(AlarmSeverity.Warning));
    }
}
