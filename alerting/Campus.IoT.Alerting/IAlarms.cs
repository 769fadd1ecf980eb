using Campus.IoT.Telemetry;

namespace Campus.IoT.Alerting;

/// <summary>
/// The alarm platform as the host sees it: inputs from the broker and the guard rooms, people's actions, and reads of the
/// alarm store. One machine: <see cref="AlarmService"/>, one engine in-process. Several nodes (district tier): the cluster's
/// implementation hands each school's inputs and actions to the one place in the cluster that runs that school's engine.
/// </summary>
internal interface IAlarms
{
    /// <param name="seq">The gateway's message sequence number (DESIGN.md): a node taking a school over skips the messages
    /// whose transitions were already stored.</param>
    Task OnEventsAsync(string site, string gateway, long seq, IReadOnlyList<DeviceEvent> events, long receivedTimestamp, CancellationToken cancellationToken);

    Task OnReadingsAsync(string site, string gateway, long seq, IReadOnlyList<Reading> readings, long receivedTimestamp, CancellationToken cancellationToken);

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
