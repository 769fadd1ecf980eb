namespace Campus.IoT.Hazards;

/// <summary>
/// What kind of hazard (the district plan's special rectification areas). Wire names in <see cref="HazardNames"/>:
/// <c>fire</c>, <c>food_safety</c>, <c>lab_chemicals</c>, <c>traffic</c>, <c>buildings</c>, <c>facilities</c>, <c>other</c>.
/// </summary>
public enum HazardCategory
{
    /// <summary>消防安全 — fire safety.</summary>
    Fire,

    /// <summary>食品安全 — canteen and food safety.</summary>
    FoodSafety,

    /// <summary>实验室及危险化学品 — labs and hazardous chemicals.</summary>
    LabChemicals,

    /// <summary>校车及交通安全 — school bus and traffic.</summary>
    Traffic,

    /// <summary>校舍建筑 — buildings.</summary>
    Buildings,

    /// <summary>设施设备 — facilities and equipment.</summary>
    Facilities,

    /// <summary>其他 — anything else.</summary>
    Other,
}

/// <summary>How the hazard was found: <c>alarm</c> (opened by the alarm feed), <c>inspection</c>, <c>report</c>.</summary>
public enum HazardSource
{
    Alarm,
    Inspection,
    Report,
}

/// <summary>
/// Risk level, highest first, with the colour of the four-colour risk map: <c>major</c> 重大 (red), <c>significant</c> 较大
/// (orange), <c>general</c> 一般 (yellow), <c>low</c> 低 (blue).
/// </summary>
public enum RiskLevel
{
    Major,
    Significant,
    General,
    Low,
}

/// <summary>
/// Where a hazard is in its closed loop: <c>registered</c> 已登记 → <c>rectifying</c> 整改中 → <c>awaiting_verification</c>
/// 待验收 → <c>closed</c> 已销号; a verification that fails sends it back to <c>rectifying</c>. "Overdue" is not a status:
/// it is derived from the deadline in the school's time zone.
/// </summary>
public enum HazardStatus
{
    Registered,
    Rectifying,
    AwaitingVerification,
    Closed,
}

/// <summary>
/// The transitions a person can ask for (<c>POST /api/hazards/{id}/transition</c> <c>{"action":…}</c>):
/// <c>start</c> registered → rectifying (measures, responsible person and deadline must be set);
/// <c>submit</c> rectifying → awaiting_verification (the fix is done, with a note);
/// <c>verify</c> awaiting_verification → closed (销号: the re-inspector's result, refused while a source alarm is active);
/// <c>reject</c> awaiting_verification → rectifying (verification failed, with a note).
/// </summary>
public enum HazardAction
{
    Start,
    Submit,
    Verify,
    Reject,
}

/// <summary>One hazard: found, registered, rectified with named measures by a responsible person before a deadline, verified, closed.</summary>
public sealed class Hazard
{
    public long Id { get; set; }

    /// <summary>The school (site identifier of the wire contract).</summary>
    public required string Site { get; set; }

    /// <summary>Where: "building / floor / room" as the school writes it.</summary>
    public string? Location { get; set; }

    /// <summary>The device whose alarms opened it, when it came from the alarm feed.</summary>
    public string? Device { get; set; }

    public HazardCategory Category { get; set; }

    public HazardSource Source { get; set; }

    public required string Title { get; set; }

    public required string Description { get; set; }

    public RiskLevel Risk { get; set; }

    public HazardStatus Status { get; set; }

    public DateTimeOffset FoundAt { get; set; }

    public required string FoundBy { get; set; }

    /// <summary>整改措施 — the measures that fix it.</summary>
    public string? Measures { get; set; }

    /// <summary>Funds set aside for the fix, in yuan.</summary>
    public decimal? Funds { get; set; }

    /// <summary>责任单位 — the responsible unit.</summary>
    public string? ResponsibleUnit { get; set; }

    /// <summary>责任人 — the responsible person (a user name where they have one, to receive reminders).</summary>
    public string? ResponsiblePerson { get; set; }

    /// <summary>整改时限 — the last day of the rectification period, a date in the school's time zone.</summary>
    public DateOnly? Deadline { get; set; }

    /// <summary>复查人 — who verifies the fix.</summary>
    public string? Reinspector { get; set; }

    /// <summary>Verification: passed or not (null until verified or rejected at least once).</summary>
    public bool? VerificationPassed { get; set; }

    public DateTimeOffset? VerifiedAt { get; set; }

    public string? VerificationNote { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>Optimistic concurrency: two people editing the same hazard cannot overwrite each other silently.</summary>
    public long Version { get; set; }

    public List<HazardAlarmLink> Alarms { get; set; } = [];

    public List<HazardAttachment> Attachments { get; set; } = [];

    public List<HazardAuditEntry> Audit { get; set; } = [];
}

/// <summary>An alarm that opened or added to a hazard.</summary>
public sealed class HazardAlarmLink
{
    public long Id { get; set; }

    public long HazardId { get; set; }

    public required string AlarmId { get; set; }

    public required string Rule { get; set; }

    public string? Device { get; set; }

    /// <summary>Severity wire name (critical, major, minor, warning).</summary>
    public required string Severity { get; set; }

    public DateTimeOffset RaisedAt { get; set; }

    /// <summary>Whether the alarm is still active (not cleared) as of the last transition the feed saw.</summary>
    public bool Active { get; set; }

    public DateTimeOffset LinkedAt { get; set; }
}

/// <summary>A photo or file: stored on disk under its SHA-256, size-limited and type-checked by content.</summary>
public sealed class HazardAttachment
{
    public long Id { get; set; }

    public long HazardId { get; set; }

    public required string FileName { get; set; }

    public required string ContentType { get; set; }

    public long Size { get; set; }

    /// <summary>Lower-case hex SHA-256 of the content; also its name in the attachment directory.</summary>
    public required string Sha256 { get; set; }

    public DateTimeOffset UploadedAt { get; set; }

    public required string UploadedBy { get; set; }
}

/// <summary>Every change to a hazard: who, when, what (the action and the fields changed, old → new), a note.</summary>
public sealed class HazardAuditEntry
{
    public long Id { get; set; }

    public long HazardId { get; set; }

    public DateTimeOffset At { get; set; }

    public required string By { get; set; }

    /// <summary>create, update, start, submit, verify, reject, attach, detach, alarm_linked.</summary>
    public required string Action { get; set; }

    /// <summary>JSON object of the changed fields: <c>{"deadline":["2026-12-01","2026-12-05"]}</c>.</summary>
    public string? Changes { get; set; }

    public string? Note { get; set; }
}
