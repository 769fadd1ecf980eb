using Campus.IoT.Alerting.Rules;

namespace Campus.IoT.Alerting;

/// <summary>
/// A planned period of work on a site's devices (a fire-panel test, a fridge being defrosted): alarms of the devices it
/// covers are raised as <c>suppressed</c> (stored and audited, off the board, not escalated or notified) until it ends, when
/// those still active return to <c>active_unack</c>. It covers the rules it names; with none named, every rule except
/// <c>fire</c> — a fire alarm is suppressed only by a window that names <c>fire</c> explicitly (a detector test).
/// </summary>
public sealed record MaintenanceWindow
{
    public required string Id { get; init; }

    public required string Site { get; init; }

    /// <summary>One gateway of the site, or all when null.</summary>
    public string? Gateway { get; init; }

    /// <summary>A glob on device ids (<c>*</c> for every device, and alarms about the gateway itself).</summary>
    public string Devices { get; init; } = "*";

    /// <summary>The rules covered; empty for every rule except <c>fire</c>.</summary>
    public IReadOnlyList<string> Rules { get; init; } = [];

    public required DateTimeOffset From { get; init; }

    public required DateTimeOffset Until { get; init; }

    public required string By { get; init; }

    public required string Reason { get; init; }

    /// <summary>When a person ended it early (null while it runs to <see cref="Until"/>).</summary>
    public DateTimeOffset? EndedAt { get; init; }

    public string? EndedBy { get; init; }

    public DateTimeOffset End => EndedAt is { } ended && ended < Until ? ended : Until;

    public bool IsActive(DateTimeOffset now) => From <= now && now < End;

    public bool Covers(AlarmKey key, DateTimeOffset now) =>
        IsActive(now)
        && key.Site == Site
        && (Gateway is null || key.Gateway == Gateway)
        && (key.Device is null ? Devices == "*" : Glob.IsMatch(Devices, key.Device))
        && (Rules.Count == 0 ? key.Rule != AlarmEngine.FireRule : Rules.Contains(key.Rule, StringComparer.Ordinal));
}
