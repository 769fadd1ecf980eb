using Campus.IoT.Alerting;
using Campus.IoT.Telemetry;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Alerting.Tests;

/// <summary>
/// Alarm history and response times from the alarm store (a real SQLite file and a real PostgreSQL: <see cref="SqliteAlarmHistoryTests"/>,
/// <see cref="PostgresAlarmHistoryTests"/>), with alarm times on a fake clock: past alarms by
/// period, school, severity and rule; time to acknowledge and to clear per school and severity.
/// </summary>
public abstract class AlarmHistoryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-alarm-history-").FullName;
    private readonly FakeTimeProvider _time = new(Start);
    private readonly AlarmEngine _engine;
    private IAlarmStore _store = null!;

    protected AlarmHistoryTests() => _engine = new AlarmEngine(_time);

    /// <summary>A store on a new, empty database (in <paramref name="directory"/> for a file).</summary>
    private protected abstract Task<IAlarmStore> CreateStoreAsync(string directory);

    public async Task InitializeAsync() => _store = await CreateStoreAsync(_directory);

    [Fact]
    public void History_reads_alarms_raised_in_the_period_newest_first_by_school_severity_and_rule()
    {
        var first = Raise("school-01", "smoke-1", EventType.Smoke);            // 02:00:00, critical, fire
        _time.Advance(TimeSpan.FromMinutes(1));
        var trouble = Raise("school-01", "panel-1", EventType.Trouble);        // 02:01:00, minor, panel-trouble
        _time.Advance(TimeSpan.FromMinutes(1));
        var other = Raise("school-02", "smoke-1", EventType.Smoke);            // 02:02:00, critical, fire
        Save(_engine.Acknowledge(first, "李四", null)!);
        Save(_engine.OnEvents("school-01", "gw-1", [new DeviceEvent("smoke-1", EventType.Smoke, EventState.Cleared, _time.GetUtcNow())]));
        _time.Advance(TimeSpan.FromMinutes(1));
        var late = Raise("school-01", "smoke-2", EventType.Smoke);             // 02:03:00: the period's end, not in it

        var all = _store.History(new AlarmHistoryQuery(Start, Start.AddMinutes(3)));
        Assert.Equal([other, trouble, first], all.Select(a => a.Id));
        Assert.Equal(AlarmState.Cleared, all[2].State);       // acknowledged, then cleared: history keeps every state
        Assert.Equal("李四", all[2].AckedBy);

        Assert.Equal([trouble, first], _store.History(new AlarmHistoryQuery(Start, Start.AddMinutes(3)) { Sites = ["school-01"] }).Select(a => a.Id));
        Assert.Equal([late, trouble, first], _store.History(new AlarmHistoryQuery(Start, Start.AddMinutes(4)) { Sites = ["school-01"] }).Select(a => a.Id));
        Assert.Equal([trouble], _store.History(new AlarmHistoryQuery(Start, Start.AddMinutes(3)) { Severity = AlarmSeverity.Minor }).Select(a => a.Id));
        Assert.Equal([other, first], _store.History(new AlarmHistoryQuery(Start, Start.AddMinutes(3)) { Rule = "fire" }).Select(a => a.Id));
        Assert.Equal([trouble], _store.History(new AlarmHistoryQuery(Start.AddMinutes(1), Start.AddMinutes(2))).Select(a => a.Id));
        Assert.Empty(_store.History(new AlarmHistoryQuery(Start, Start.AddMinutes(3)) { Sites = [] }));
        Assert.Equal([other], _store.History(new AlarmHistoryQuery(Start, Start.AddMinutes(3)) { Limit = 1 }).Select(a => a.Id));
    }

    [Fact]
    public void History_with_a_visibility_filter_reads_on_until_the_limit_is_reached_with_visible_alarms()
    {
        var lab = Raise("school-01", "lab3-smoke", EventType.Smoke);
        _time.Advance(TimeSpan.FromSeconds(10));
        var lab2 = Raise("school-01", "lab3-heat", EventType.Heat);
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            Raise("school-01", $"canteen-{i}", EventType.Smoke);
        }

        var query = new AlarmHistoryQuery(Start, Start.AddHours(1)) { Visible = (_, device) => device?.StartsWith("lab3-", StringComparison.Ordinal) == true, Limit = 2 };
        Assert.Equal([lab2, lab], _store.History(query).Select(a => a.Id));
        Assert.Equal([lab2], _store.History(query with { Limit = 1 }).Select(a => a.Id));
    }

    [Fact]
    public async Task Response_times_per_school_and_severity_from_acknowledgements_and_clears_on_the_clock()
    {
        using var meters = new TestMeterFactory();
        var logs = new CapturedLogs();
        using var service = new AlarmService(_store, new NullNotifier(), new AlertingMetrics(meters), _time, logs.CreateLogger<AlarmService>());

        // school-01: three smoke alarms acknowledged after 10 s, 20 s and 90 s (late), cleared 5 min after their raise;
        // one panel trouble (minor) acknowledged after 30 s.
        var acks = new[] { 10, 20, 90 };
        for (var i = 0; i < acks.Length; i++)
        {
            var raisedAt = _time.GetUtcNow();
            await service.OnEventsAsync("school-01", "gw-1", [new DeviceEvent($"smoke-{i}", EventType.Smoke, EventState.Active, raisedAt)], _time.GetTimestamp(), CancellationToken.None);
            var id = Assert.Single(service.Query([AlarmState.ActiveUnack], "school-01", 10)).Id;
            _time.Advance(TimeSpan.FromSeconds(acks[i]));
            Assert.Equal(AckResult.Acknowledged, (await service.AcknowledgeAsync(id, "王保安", null, CancellationToken.None)).Result);
            _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(acks[i]));
            await service.OnEventsAsync("school-01", "gw-1", [new DeviceEvent($"smoke-{i}", EventType.Smoke, EventState.Cleared, _time.GetUtcNow())], _time.GetTimestamp(), CancellationToken.None);
        }

        await service.OnEventsAsync("school-01", "gw-1", [new DeviceEvent("panel-1", EventType.Trouble, EventState.Active, _time.GetUtcNow())], _time.GetTimestamp(), CancellationToken.None);
        var trouble = Assert.Single(service.Query([AlarmState.ActiveUnack], "school-01", 10)).Id;
        _time.Advance(TimeSpan.FromSeconds(30));
        await service.AcknowledgeAsync(trouble, "王保安", null, CancellationToken.None);

        // school-02: one smoke alarm nobody acknowledged for 2 min (late, still open), one raised 20 s ago (not late yet).
        await service.OnEventsAsync("school-02", "gw-1", [new DeviceEvent("smoke-a", EventType.Smoke, EventState.Active, _time.GetUtcNow())], _time.GetTimestamp(), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(100));
        await service.OnEventsAsync("school-02", "gw-1", [new DeviceEvent("smoke-b", EventType.Smoke, EventState.Active, _time.GetUtcNow())], _time.GetTimestamp(), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(20));

        var rows = service.ResponseTimes(Start, _time.GetUtcNow(), null, null, Target);
        Assert.Equal([("school-01", AlarmSeverity.Critical), ("school-01", AlarmSeverity.Minor), ("school-02", AlarmSeverity.Critical)], rows.Select(r => (r.Site, r.Severity)));

        var fire = rows[0];
        Assert.Equal((3, 3, 3, 1), (fire.Count, fire.Acknowledged, fire.Cleared, fire.NotAckedInTime));
        Assert.Equal(TimeSpan.FromSeconds(20), fire.AckMedian);
        Assert.Equal(TimeSpan.FromSeconds(90), fire.AckP90);
        Assert.Equal(TimeSpan.FromSeconds(90), fire.AckMax);
        Assert.Equal(TimeSpan.FromMinutes(5), fire.ClearMedian);
        Assert.Equal(TimeSpan.FromMinutes(5), fire.ClearP90);

        var minor = rows[1];
        Assert.Equal((1, 1, 0, 0), (minor.Count, minor.Acknowledged, minor.Cleared, minor.NotAckedInTime));
        Assert.Equal(TimeSpan.FromSeconds(30), minor.AckMedian);
        Assert.Null(minor.ClearMedian);

        var open = rows[2];
        Assert.Equal((2, 0, 0, 1), (open.Count, open.Acknowledged, open.Cleared, open.NotAckedInTime));
        Assert.Null(open.AckMedian);
        Assert.Null(open.AckMax);

        // Narrowed to one school, and to what the reader may see.
        Assert.Equal(["school-02"], service.ResponseTimes(Start, _time.GetUtcNow(), ["school-02"], null, Target).Select(r => r.Site));
        var onlySmoke0 = Assert.Single(service.ResponseTimes(Start, _time.GetUtcNow(), null, (_, device) => device == "smoke-0", Target));
        Assert.Equal((1, TimeSpan.FromSeconds(10)), (onlySmoke0.Count, onlySmoke0.AckMedian));

        // History carries the same times.
        var history = service.History(new AlarmHistoryQuery(Start, _time.GetUtcNow()) { Sites = ["school-01"], Severity = AlarmSeverity.Critical });
        Assert.Equal([90, 20, 10], history.Select(a => ResponseTimes.ToAcknowledge(a.RaisedAt, a.AckedAt)!.Value.TotalSeconds));
        Assert.All(history, a => Assert.Equal(TimeSpan.FromMinutes(5), ResponseTimes.ToClear(a.RaisedAt, a.ClearedAt)));
        Assert.Empty(logs.Errors);
    }

    [Fact]
    public void Alarms_a_maintenance_window_kept_suppressed_are_in_the_history_but_not_in_the_response_times()
    {
        _engine.SetMaintenance([new MaintenanceWindow { Id = "w1", Site = "school-01", Devices = "panel-1", From = Start, Until = Start.AddHours(1), By = "张工", Reason = "消防主机年检" }]);
        var suppressed = Raise("school-01", "panel-1", EventType.Trouble);
        var shown = Raise("school-01", "panel-2", EventType.Supervisory);   // not covered by the window: on the board
        _time.Advance(TimeSpan.FromMinutes(2));
        Save(_engine.OnEvents("school-01", "gw-1", [new DeviceEvent("panel-1", EventType.Trouble, EventState.Cleared, _time.GetUtcNow())]));

        Assert.Equal(AlarmState.Cleared, _store.Find(suppressed)!.State);
        Assert.Equal(2, _store.History(new AlarmHistoryQuery(Start, Start.AddHours(1))).Count);
        var timing = Assert.Single(_store.Timings(Start, Start.AddHours(1), null));
        Assert.Equal(_store.Find(shown)!.RaisedAt, timing.RaisedAt);
    }

    [Fact]
    public void Median_and_90th_percentile_by_nearest_rank_and_a_gateway_clock_ahead_counts_as_zero()
    {
        static TimeSpan[] Seconds(params int[] s) => [.. s.Select(x => TimeSpan.FromSeconds(x))];
        Assert.Null(ResponseTimes.Median([]));
        Assert.Null(ResponseTimes.Percentile([], 90));
        Assert.Equal(TimeSpan.FromSeconds(7), ResponseTimes.Median(Seconds(7)));
        Assert.Equal(TimeSpan.FromSeconds(15), ResponseTimes.Median(Seconds(10, 20)));
        Assert.Equal(TimeSpan.FromSeconds(20), ResponseTimes.Median(Seconds(10, 20, 30)));
        Assert.Equal(TimeSpan.FromSeconds(30), ResponseTimes.Percentile(Seconds(10, 20, 30), 90));
        Assert.Equal(TimeSpan.FromSeconds(9), ResponseTimes.Percentile(Seconds(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90));
        Assert.Equal(TimeSpan.FromSeconds(27), ResponseTimes.Percentile([.. Enumerable.Range(1, 30).Select(x => TimeSpan.FromSeconds(x))], 90));

        Assert.Equal(TimeSpan.Zero, ResponseTimes.ToAcknowledge(Start, Start.AddSeconds(-3)));
        Assert.Equal(TimeSpan.FromSeconds(3), ResponseTimes.ToClear(Start, Start.AddSeconds(3)));
        Assert.Null(ResponseTimes.ToAcknowledge(Start, null));
    }

    public Task DisposeAsync()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private string Raise(string site, string device, EventType type)
    {
        var transitions = _engine.OnEvents(site, "gw-1", [new DeviceEvent(device, type, EventState.Active, _time.GetUtcNow())]);
        Save(transitions);
        return Assert.Single(transitions).Alarm.Id;
    }

    private void Save(AlarmTransition transition) => _store.Save([transition]);

    private void Save(IReadOnlyList<AlarmTransition> transitions) => _store.Save(transitions);

    private sealed class NullNotifier : IAlarmNotifier
    {
        public Task AlarmChangedAsync(Alarm alarm, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
