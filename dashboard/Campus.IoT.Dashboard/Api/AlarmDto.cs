using Campus.IoT.Alerting;
using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

/// <summary>An alarm as the API and the live hub show it (wire names for every enumeration, RFC 3339 UTC times).</summary>
internal record AlarmDto(
    string Id,
    string Rule,
    string Site,
    string Gateway,
    string? Device,
    string? Point,
    string? Zone,
    string? Label,
    string? Type,
    string? Metric,
    double? Value,
    string Severity,
    string State,
    string RaisedAt,
    string UpdatedAt,
    string? AckedAt,
    string? AckedBy,
    string? AckNote,
    string? ClearedAt,
    int Count,
    int EscalationLevel,
    bool Flapping,
    string? ShelvedUntil,
    string? Maintenance,
    string? NextEscalationAt,
    string? SiteName,
    string? Location)
{
    /// <param name="sites">Names the school and places the device (Campus:Sites) when given.</param>
    public static AlarmDto From(Alarm a, SiteDirectory? sites) => new(
        a.Id,
        a.Rule,
        a.Site,
        a.Gateway,
        a.Device,
        a.Point,
        a.Zone,
        a.Label,
        a.Type?.ToWire(),
        a.Metric,
        a.Value,
        a.Severity.ToWire(),
        a.State.ToWire(),
        Timestamps.Format(a.RaisedAt),
        Timestamps.Format(a.UpdatedAt),
        a.AckedAt is { } acked ? Timestamps.Format(acked) : null,
        a.AckedBy,
        a.AckNote,
        a.ClearedAt is { } cleared ? Timestamps.Format(cleared) : null,
        a.Count,
        a.EscalationLevel,
        a.Flapping,
        a.ShelvedUntil is { } shelved ? Timestamps.Format(shelved) : null,
        a.Maintenance,
        a.NextEscalationAt is { } next ? Timestamps.Format(next) : null,
        sites?.NameOf(a.Site),
        sites?.LocationOf(a.Site, a.Device));

    public static AlarmDto From(Alarm a) => From(a, null);
}
