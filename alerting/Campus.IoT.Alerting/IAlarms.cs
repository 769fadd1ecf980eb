using Campus.IoT.Telemetry;

namespace Campus.IoT.Alerting;

/// <summary>
/// The alarm platform as the host sees it: inputs from the broker and the guard rooms, people's actions, and reads of the
/// alarm store. One machine: <see cref="AlarmService"/>, one engine in-process. Several nodes (district tier): the cluster's
/// implementation hands each school's inputs and actions to the one place in the cluster that runs that school's engine.
/// </summary>
internal interface IAlarms
{
    /// <param name="message">The gateway's message: its <c>seq</c> and <c>ts</c> (DESIGN.md). Several nodes forwarding the
    /// same message are told apart from a new one by them; a node taking a school over skips the messages whose
    /// transitions were already stored.</param>
    Task OnEventsAsync(string site, string gateway, MessageId message, IReadOnlyList<DeviceEvent> events, long receivedTimestamp, CancellationToken cancellationToken);

    Task OnReadingsAsync(string site, string gateway, MessageId message, IReadOnlyList<Reading> readings, long receivedTimestamp, CancellationToken cancellationToken);

    Task OnGatewayStatusAsync(string site, string gateway, bool online, DateTimeOffset ts, long receivedTimestamp, CancellationToken cancellationToken);

    /// <summary>The console watchdog: whether a guard-room board watches <paramref name="site"/> (as this node sees it).</summary>
    Task OnConsoleStatusAsync(string site, bool attended, string note, CancellationToken cancellationToken);

    Task<AckOutcome> AcknowledgeAsync(string id, string by, string? note, CancellationToken cancellationToken);

    Task<AckOutcome> ShelveAsync(string id, string by, string note, DateTimeOffset until, CancellationToken cancellationToken);

    Task StartMaintenanceAsync(MaintenanceWindow window, CancellationToken cancellationToken);

    Task<MaintenanceWindow?> EndMaintenanceAsync(string id, string by, CancellationToken cancellationToken);

    IReadOnlyList<MaintenanceWindow> Maintenance(DateTimeOffset since);

    MaintenanceWindow? FindMaintenance(string id);

    IReadOnlyList<Notifications.DeliveryRecord> Deliveries(string alarmId);

    IReadOnlyList<Alarm> Query(IReadOnlyCollection<AlarmState> states, string? site, int limit);

    Alarm? Find(string id);

    IReadOnlyList<AlarmAuditEntry> Audit(string id);

    IReadOnlyList<Alarm> History(AlarmHistoryQuery query);

    IReadOnlyList<ResponseTimeRow> ResponseTimes(DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<string>? sites, Func<string, string?, bool>? visible, TimeSpan target);
}

/// <summary>
/// A gateway's message as its gateway numbered it: <c>seq</c> and the message's <c>ts</c> (both kept on a spool replay).
/// Together, not the seq alone: a replaced gateway that starts its numbering again sends new messages under old numbers.
/// </summary>
public readonly record struct MessageId(long Seq, DateTimeOffset Sent);
