using System.Text.Json.Serialization;
using Campus.IoT.Hazards;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

/// <summary>
/// A hazard as the API shows it: wire names for every enumeration with their zh-CN labels, RFC 3339 UTC times, the deadline
/// as a date, <c>overdue</c> derived in the school's time zone. The detail (<c>GET /api/hazards/{id}</c>) adds its alarms,
/// attachments and audit timeline; lists leave them out.
/// </summary>
internal sealed record HazardDto(
    long Id,
    string Site,
    string? Location,
    string? Device,
    string Category,
    string CategoryLabel,
    string Source,
    string SourceLabel,
    string Title,
    string Description,
    string Risk,
    string RiskLabel,
    string Status,
    string StatusLabel,
    bool Overdue,
    string FoundAt,
    string FoundBy,
    string? Measures,
    decimal? Funds,
    string? ResponsibleUnit,
    string? ResponsiblePerson,
    string? Deadline,
    string? Reinspector,
    bool? VerificationPassed,
    string? VerifiedAt,
    string? VerificationNote,
    string CreatedAt,
    string UpdatedAt,
    string? ClosedAt,
    long Version)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<HazardAlarmDto>? Alarms { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<HazardAttachmentDto>? Attachments { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<HazardAuditDto>? Audit { get; init; }

    public static HazardDto Of(Hazard h, DateOnly today) => new(
        h.Id, h.Site, h.Location, h.Device,
        h.Category.ToWire(), h.Category.Label(), h.Source.ToWire(), h.Source.Label(),
        h.Title, h.Description,
        h.Risk.ToWire(), h.Risk.Label(), h.Status.ToWire(), h.Status.Label(), HazardStore.IsOverdue(h, today),
        Timestamps.Format(h.FoundAt), h.FoundBy, h.Measures, h.Funds, h.ResponsibleUnit, h.ResponsiblePerson,
        HazardStore.Format(h.Deadline), h.Reinspector, h.VerificationPassed, HazardStore.Format(h.VerifiedAt), h.VerificationNote,
        Timestamps.Format(h.CreatedAt), Timestamps.Format(h.UpdatedAt), HazardStore.Format(h.ClosedAt), h.Version);

    /// <summary>With its alarms, attachments (and their download links) and audit timeline.</summary>
    public static HazardDto Detail(Hazard h, DateOnly today) => Of(h, today) with
    {
        Alarms = [.. h.Alarms.Select(a => new HazardAlarmDto(a.AlarmId, a.Rule, a.Device, a.Severity, Timestamps.Format(a.RaisedAt), a.Active, Timestamps.Format(a.LinkedAt)))],
        Attachments = [.. h.Attachments.Select(a => new HazardAttachmentDto(a.Id, a.FileName, a.ContentType, a.Size, a.Sha256, Timestamps.Format(a.UploadedAt), a.UploadedBy, $"/api/hazards/{h.Id}/attachments/{a.Id}"))],
        Audit = [.. h.Audit.Select(a => new HazardAuditDto(Timestamps.Format(a.At), a.By, a.Action, a.Changes, a.Note))],
    };
}

/// <summary>An alarm linked to a hazard; <c>active</c> until the alarm clears.</summary>
internal sealed record HazardAlarmDto(string Id, string Rule, string? Device, string Severity, string RaisedAt, bool Active, string LinkedAt);

internal sealed record HazardAttachmentDto(long Id, string FileName, string ContentType, long Size, string Sha256, string UploadedAt, string UploadedBy, string Href);

/// <summary>One audit row: <c>changes</c> is the JSON object of changed fields, each [old, new].</summary>
internal sealed record HazardAuditDto(string At, string By, string Action, string? Changes, string? Note);

/// <summary>The body of <c>POST /api/hazards</c>: wire names for category, source and risk; deadline yyyy-MM-dd; foundAt RFC 3339.</summary>
internal sealed record HazardCreateRequest(
    string? Site,
    string? Location,
    string? Device,
    string? Category,
    string? Source,
    string? Title,
    string? Description,
    string? Risk,
    string? FoundAt,
    string? FoundBy,
    string? Measures,
    decimal? Funds,
    string? ResponsibleUnit,
    string? ResponsiblePerson,
    string? Deadline,
    string? Reinspector);

/// <summary>The body of <c>PATCH|PUT /api/hazards/{id}</c>: the version read, and the fields to change (absent: unchanged; "": cleared).</summary>
internal sealed record HazardUpdateRequest(
    long? Version,
    string? Location,
    string? Category,
    string? Title,
    string? Description,
    string? Risk,
    string? Measures,
    decimal? Funds,
    string? ResponsibleUnit,
    string? ResponsiblePerson,
    string? Deadline,
    string? Reinspector,
    string? Note);

/// <summary>The body of <c>POST /api/hazards/{id}/transition</c>.</summary>
internal sealed record HazardTransitionBody(string? Action, string? Note, string? Reinspector, long? Version);
