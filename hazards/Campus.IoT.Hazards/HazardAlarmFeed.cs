using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Notifications;
using Campus.IoT.Hazards.Storage;
using Campus.IoT.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Hazards;

/// <summary>
/// Alarms feed the registry. A raised alarm of a device (the gateway for an alarm about a gateway) is recorded; it opens a
/// hazard (source alarm, category from the rule, risk from the severity) when it is critical or when the device raised
/// <see cref="AlarmRepeatOptions.Count"/> alarms within <see cref="AlarmRepeatOptions.Days"/> days (linking them all), and
/// it is added to the device's open (not closed) hazard when there is one. Every later transition of a linked alarm keeps
/// its link's <see cref="HazardAlarmLink.Active"/> up to date, which is what stops a hazard being closed while its alarm is
/// still sounding. Idempotent: an alarm id is linked once. One transition at a time (a process-wide lock); a failure is
/// logged and thrown to <see cref="AlarmService"/>, which logs it and carries on — alarms never wait on the registry.
/// </summary>
internal sealed partial class HazardAlarmFeed : IHazardFeed, IDisposable
{
    public const string FeedUser = "alarm-feed";

    private readonly HazardStore _store;
    private readonly AlarmRepeatOptions _repeat;
    private readonly ILogger<HazardAlarmFeed> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public HazardAlarmFeed(HazardStore store, AlarmRepeatOptions repeat, ILogger<HazardAlarmFeed> logger)
    {
        _store = store;
        _repeat = repeat;
        _logger = logger;
    }

    public async Task AlarmTransitionAsync(AlarmTransition transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await ApplyAsync(transition, cancellationToken);
                    return;
                }
                catch (DbUpdateConcurrencyException) when (attempt < 3)
                {
                    // A person saved the same hazard meanwhile: read it again and link on top of their change.
                    LogRetry(_logger, transition.Alarm.Id, attempt);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(_logger, ex, transition.Alarm.Id, transition.Kind);
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Still sounding: active, or shelved/suppressed while its condition has not cleared.</summary>
    public static bool IsActive(Alarm alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        return alarm.State is AlarmState.ActiveUnack or AlarmState.ActiveAck
            || (alarm.State is AlarmState.Shelved or AlarmState.Suppressed && alarm.ClearedAt is null);
    }

    /// <summary>fire for the fire rules (panel fire events, smoke, heat), food_safety for cold storage and freezers, lab_chemicals for lab fridges and chemical stores, facilities otherwise.</summary>
    public static HazardCategory CategoryOf(Alarm alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        var rule = alarm.Rule;
        if (alarm.Type is EventType.FireAlarm or EventType.Smoke or EventType.Heat or EventType.ManualCallPoint
            || rule is "fire" or "fixed-heat" or "rate-of-rise" || rule.StartsWith("smoke", StringComparison.Ordinal) || rule.StartsWith("heat", StringComparison.Ordinal))
        {
            return HazardCategory.Fire;
        }

        if (rule.StartsWith("cold-storage", StringComparison.Ordinal) || rule.StartsWith("freezer", StringComparison.Ordinal))
        {
            return HazardCategory.FoodSafety;
        }

        if (rule.StartsWith("lab-fridge", StringComparison.Ordinal) || rule.StartsWith("chem-store", StringComparison.Ordinal))
        {
            return HazardCategory.LabChemicals;
        }

        return HazardCategory.Facilities;
    }

    /// <summary>critical → major 重大, major → significant 较大, minor → general 一般, warning → low 低.</summary>
    public static RiskLevel RiskOf(AlarmSeverity severity) => severity switch
    {
        AlarmSeverity.Critical => RiskLevel.Major,
        AlarmSeverity.Major => RiskLevel.Significant,
        AlarmSeverity.Minor => RiskLevel.General,
        _ => RiskLevel.Low,
    };

    private async Task ApplyAsync(AlarmTransition transition, CancellationToken cancellationToken)
    {
        var alarm = transition.Alarm;
        var device = alarm.Device ?? alarm.Gateway;
        var active = IsActive(alarm);
        var now = _store.Now();
        await using var db = await _store.OpenAsync();

        var raise = await db.AlarmRaises.FirstOrDefaultAsync(r => r.AlarmId == alarm.Id, cancellationToken);
        var link = await db.AlarmLinks.FirstOrDefaultAsync(l => l.AlarmId == alarm.Id, cancellationToken);
        if (link is not null)
        {
            if (link.Active != active)
            {
                link.Active = active;
                db.Audit.Add(new HazardAuditEntry
                {
                    HazardId = link.HazardId,
                    At = now,
                    By = FeedUser,
                    Action = active ? "alarm_active" : "alarm_cleared",
                    Changes = HazardStore.Serialize(new(StringComparer.Ordinal) { [$"alarm:{alarm.Id}"] = [Flag(!active), Flag(active)] }),
                    Note = $"{alarm.Rule} {transition.Kind.ToWire()}",
                });
            }

            if (raise is not null)
            {
                raise.Active = active;
            }

            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        if (transition.Kind != AlarmTransitionKind.Raised || raise is not null)
        {
            // Not a new raise (or one seen before): keep the record of an unlinked raise current.
            if (raise is not null && raise.Active != active)
            {
                raise.Active = active;
                await db.SaveChangesAsync(cancellationToken);
            }

            return;
        }

        raise = new HazardAlarmRaise
        {
            AlarmId = alarm.Id,
            Site = alarm.Site,
            Device = device,
            Rule = alarm.Rule,
            Severity = alarm.Severity.ToWire(),
            RaisedAt = Timestamps.TruncateToMilliseconds(alarm.RaisedAt.ToUniversalTime()),
            Active = active,
        };
        db.AlarmRaises.Add(raise);
        var windowStart = raise.RaisedAt.AddDays(-_repeat.Days);
        // Raises older than the window can never count again.
        db.AlarmRaises.RemoveRange(await db.AlarmRaises.Where(r => r.Site == alarm.Site && r.Device == device && r.RaisedAt <= windowStart).ToListAsync(cancellationToken));
        var window = await db.AlarmRaises
            .Where(r => r.Site == alarm.Site && r.Device == device && r.RaisedAt > windowStart && r.RaisedAt <= raise.RaisedAt)
            .ToListAsync(cancellationToken);
        window.Add(raise);

        var open = await db.Hazards
            .Where(h => h.Site == alarm.Site && h.Device == device && h.Status != HazardStatus.Closed)
            .OrderByDescending(h => h.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (open is not null)
        {
            Link(db, open, raise, now);
            var risk = RiskOf(alarm.Severity);
            var changes = new Dictionary<string, string?[]>(StringComparer.Ordinal) { [$"alarm:{alarm.Id}"] = [null, $"{alarm.Rule} {alarm.Severity.ToWire()}"] };
            if (risk < open.Risk)
            {
                // A more severe alarm on the same device raises the hazard's risk; it never lowers it.
                HazardStore.Change(changes, "risk", open.Risk.ToWire(), risk.ToWire(), _ => open.Risk = risk);
            }

            open.UpdatedAt = now;
            open.Version++;
            db.Audit.Add(new HazardAuditEntry { HazardId = open.Id, At = now, By = FeedUser, Action = "alarm_linked", Changes = HazardStore.Serialize(changes), Note = alarm.Label });
            await db.SaveChangesAsync(cancellationToken);
            LogLinked(_logger, alarm.Id, open.Id);
            return;
        }

        var critical = alarm.Severity == AlarmSeverity.Critical;
        if (!critical && window.Count < _repeat.Count)
        {
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        // Earlier raises of the window already linked to a (now closed) hazard stay with it.
        var ids = window.Select(r => r.AlarmId).ToList();
        var taken = await db.AlarmLinks.Where(l => ids.Contains(l.AlarmId)).Select(l => l.AlarmId).ToListAsync(cancellationToken);
        var category = CategoryOf(alarm);
        var place = alarm.Label ?? alarm.Zone;
        // In words a safety officer reads (火警, 紧急), with the rule's id kept in the description for the record.
        var rule = NotificationText.Rule(alarm.Rule).Zh;
        var severity = NotificationText.Severity(alarm.Severity);
        var hazard = new Hazard
        {
            Site = alarm.Site,
            Device = Identifier.IsValid(device) ? device : null,
            Location = place,
            Category = category,
            Source = HazardSource.Alarm,
            Title = critical
                ? $"{category.Label()}报警：{place ?? device}（{rule}）"
                : $"{category.Label()}：{place ?? device} {_repeat.Days} 天内报警 {window.Count} 次（{rule}）",
            Description = critical
                ? $"报警 {alarm.Id}（{rule}，规则 {alarm.Rule}，级别 {severity}）于 {Timestamps.Format(alarm.RaisedAt)} 在设备 {device} 触发，自动登记为隐患。"
                : $"设备 {device} 在 {_repeat.Days} 天内报警 {window.Count} 次（最近：报警 {alarm.Id}，{rule}，规则 {alarm.Rule}，级别 {severity}），自动登记为隐患。",
            Risk = window.Min(r => AlarmNames.TryParseSeverity(r.Severity, out var s) ? RiskOf(s) : RiskLevel.Low),
            Status = HazardStatus.Registered,
            FoundAt = raise.RaisedAt,
            FoundBy = FeedUser,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        hazard.Audit.Add(new HazardAuditEntry { At = now, By = FeedUser, Action = "create", Changes = HazardStore.Serialize(HazardStore.Snapshot(hazard)), Note = $"alarm {alarm.Id}" });
        db.Hazards.Add(hazard);
        foreach (var r in window.Where(r => !taken.Contains(r.AlarmId)).OrderBy(r => r.RaisedAt))
        {
            Link(db, hazard, r, now);
            hazard.Audit.Add(new HazardAuditEntry
            {
                At = now,
                By = FeedUser,
                Action = "alarm_linked",
                Changes = HazardStore.Serialize(new(StringComparer.Ordinal) { [$"alarm:{r.AlarmId}"] = [null, $"{r.Rule} {r.Severity}"] }),
            });
        }

        await db.SaveChangesAsync(cancellationToken);
        LogOpened(_logger, hazard.Id, alarm.Site, device, alarm.Id, window.Count);
    }

    private static void Link(HazardDbContext db, Hazard hazard, HazardAlarmRaise raise, DateTimeOffset now)
    {
        var link = new HazardAlarmLink
        {
            AlarmId = raise.AlarmId,
            Rule = raise.Rule,
            Device = raise.Device,
            Severity = raise.Severity,
            RaisedAt = raise.RaisedAt,
            Active = raise.Active,
            LinkedAt = now,
        };
        if (hazard.Id == 0)
        {
            hazard.Alarms.Add(link);
        }
        else
        {
            link.HazardId = hazard.Id;
            db.AlarmLinks.Add(link);
        }
    }

    private static string Flag(bool active) => active ? "active" : "cleared";

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Hazard {HazardId} opened at {Site} for device {Device} by alarm {AlarmId} ({Count} raise(s) in the window)")]
    private static partial void LogOpened(ILogger logger, long hazardId, string site, string device, string alarmId, int count);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "Alarm {AlarmId} linked to open hazard {HazardId}")]
    private static partial void LogLinked(ILogger logger, string alarmId, long hazardId);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Error, Message = "The hazard feed failed on alarm {AlarmId} ({Kind}); the alarm itself is unaffected")]
    private static partial void LogFailed(ILogger logger, Exception exception, string alarmId, AlarmTransitionKind kind);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Warning, Message = "Alarm {AlarmId}: the hazard was saved meanwhile by someone else; attempt {Attempt} again")]
    private static partial void LogRetry(ILogger logger, string alarmId, int attempt);
}
