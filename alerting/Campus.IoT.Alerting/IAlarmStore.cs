namespace Campus.IoT.Alerting;

/// <summary>
/// Alarms, their append-only hash-chained audit trail (<see cref="AuditChain"/>), maintenance windows and input marks.
/// <see cref="SqliteAlarmStore"/> for one node; <see cref="PostgresAlarmStore"/> for several nodes sharing one store.
/// Every member is thread-safe.
/// </summary>
internal interface IAlarmStore : IDisposable
{
    /// <summary>
    /// Stores <paramref name="transitions"/> (each alarm upserted, one audit row each, chained) and <paramref name="inputs"/>
    /// (insert-or-ignore) in one transaction: either all of them are stored or none. Marks are written even when there are
    /// no transitions.
    /// </summary>
    void Save(IReadOnlyList<AlarmTransition> transitions, IReadOnlyList<InputMark>? inputs = null);

    Alarm? Find(string id);

    /// <summary>Alarms in any of <paramref name="states"/> (all when empty), optionally of one site, newest first.</summary>
    IReadOnlyList<Alarm> Query(IReadOnlyCollection<AlarmState> states, string? site, int limit);

    /// <summary>
    /// Alarms raised in [from, to) (any state), newest first, as <paramref name="query"/> narrows them; at most its limit
    /// of those it lets through.
    /// </summary>
    IReadOnlyList<Alarm> History(AlarmHistoryQuery query);

    /// <summary>
    /// The times of the alarms raised in [from, to) of <paramref name="sites"/> (every site when null) that needed a person:
    /// those that were on the board unacknowledged at some point (active_unack or cleared_unack in their audit trail).
    /// </summary>
    IReadOnlyList<AlarmTiming> Timings(DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<string>? sites, Func<string, string?, bool>? visible = null);

    /// <summary>Alarms not yet closed (active, cleared unacknowledged, shelved, suppressed), of one school when <paramref name="site"/> is given.</summary>
    IReadOnlyList<Alarm> LoadOpen(string? site = null);

    IReadOnlyList<AlarmAuditEntry> Audit(string alarmId);

    /// <summary>
    /// Walks the whole audit trail in order: every row must follow the previous one (seq + 1), name the previous row's hash,
    /// and hash to what it says. Reports the first row where that fails.
    /// </summary>
    AuditVerification VerifyAudit();

    /// <summary>Stores a maintenance window (new, or ended early).</summary>
    void SaveMaintenance(MaintenanceWindow window);

    /// <summary>Windows still running or planned at <paramref name="since"/> (their end after it), earliest first.</summary>
    IReadOnlyList<MaintenanceWindow> LoadMaintenance(DateTimeOffset since);

    MaintenanceWindow? FindMaintenance(string id);

    /// <summary>The input marks of <paramref name="site"/> at or after <paramref name="since"/>, by gateway and seq.</summary>
    IReadOnlyList<InputMark> RecentInputs(string site, DateTimeOffset since);

    /// <summary>When an alarm of <paramref name="site"/> last changed (its newest <c>updated_at</c>), or null when it has none.</summary>
    DateTimeOffset? LastChange(string site);
}
