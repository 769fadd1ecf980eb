using System.Collections.Concurrent;
using Campus.IoT.Alerting;
using Campus.IoT.Telemetry;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Alerting.Tests;

public sealed class AlarmServiceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-alarm-service-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero));
    private readonly TestMeterFactory _meters = new();
    private readonly CapturedLogs _logs = new();
    private readonly IAlarmStore _store;

    public AlarmServiceTests() => _store = new SqliteAlarmStore(Path.Combine(_directory, "alarms.db"));

    [Fact]
    public async Task A_store_failure_never_keeps_an_alarm_from_the_guard_room()
    {
        var notifier = new RecordingNotifier();
        using var service = CreateService(notifier);
        _store.Dispose(); // the store fails from now on, as on a full or broken disk

        await service.OnEventsAsync("school-01", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Active, _time.GetUtcNow())], _time.GetTimestamp(), CancellationToken.None);

        var pushed = Assert.Single(notifier.Alarms);
        Assert.Equal(AlarmState.ActiveUnack, pushed.State);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 2003 && e.Level == LogLevel.Critical);

        // The alarm is live in memory, so the guard can still acknowledge it.
        var ack = await service.AcknowledgeAsync(pushed.Id, "guard", null, CancellationToken.None);
        Assert.Equal(AckResult.Acknowledged, ack.Result);
        Assert.Equal(AlarmState.ActiveAck, notifier.Alarms.Last().State);
    }

    [Fact]
    public async Task A_failed_live_push_is_logged_and_the_alarm_is_still_stored()
    {
        using var service = CreateService(new FailingNotifier());

        await service.OnEventsAsync("school-01", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Active, _time.GetUtcNow())], _time.GetTimestamp(), CancellationToken.None);

        var stored = Assert.Single(service.Query([AlarmState.ActiveUnack], null, 10));
        Assert.Equal("d1", stored.Device);
        Assert.Contains(_logs.Errors, e => e.EventId.Id == 2002);
    }

    [Fact]
    public async Task Acknowledging_reports_unknown_and_already_acknowledged_alarms()
    {
        using var service = CreateService(new RecordingNotifier());
        await service.OnEventsAsync("school-01", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Active, _time.GetUtcNow())], _time.GetTimestamp(), CancellationToken.None);
        var id = service.Query([], null, 10)[0].Id;

        Assert.Equal(AckResult.NotFound, (await service.AcknowledgeAsync("missing", "guard", null, CancellationToken.None)).Result);
        Assert.Equal(AckResult.Acknowledged, (await service.AcknowledgeAsync(id, "guard", null, CancellationToken.None)).Result);
        var again = await service.AcknowledgeAsync(id, "guard", null, CancellationToken.None);
        Assert.Equal(AckResult.NotAcknowledgeable, again.Result);
        Assert.Equal(AlarmState.ActiveAck, again.Alarm!.State);
    }

    public void Dispose()
    {
        _store.Dispose();
        _meters.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private AlarmService CreateService(IAlarmNotifier notifier, params IHazardFeed[] hazards) =>
        new(_store, notifier, new AlertingMetrics(_meters), _time, _logs.CreateLogger<AlarmService>(), hazards: hazards);

    [Fact]
    public async Task Every_transition_is_handed_to_the_hazard_feeds_and_a_failing_feed_holds_nothing_up()
    {
        var feed = new RecordingFeed();
        var notifier = new RecordingNotifier();
        using var service = CreateService(notifier, new FailingFeed(), feed);
        await service.OnEventsAsync("school-01", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Active, _time.GetUtcNow())], _time.GetTimestamp(), CancellationToken.None);
        var id = Assert.Single(notifier.Alarms).Id;
        await service.AcknowledgeAsync(id, "guard", null, CancellationToken.None);

        // The alarm path is done before the feeds: pushed twice, acknowledged, whatever the feeds do.
        Assert.Equal(2, notifier.Alarms.Count);
        Assert.Equal(AlarmState.ActiveAck, service.Find(id)!.State);

        // The failing feed is tried three times (after 2 s and 10 s of the platform clock) for each transition, then logged;
        // the working feed still gets both, in order.
        await Eventually.True(
            () =>
            {
                _time.Advance(TimeSpan.FromSeconds(2));
                return feed.Transitions.Count == 2 && _logs.Errors.Count(e => e.EventId.Id == 2201) == 2;
            },
            "both transitions through the feeds");
        Assert.Equal([AlarmTransitionKind.Raised, AlarmTransitionKind.Acknowledged], feed.Transitions.Select(t => t.Kind));
        Assert.All(_logs.Errors.Where(e => e.EventId.Id == 2201), e => Assert.Contains("after 3 attempts", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hazard_registry_that_hangs_delays_no_alarm()
    {
        var hanging = new HangingFeed();
        var notifier = new RecordingNotifier();
        using var service = CreateService(notifier, hanging);

        await service.OnEventsAsync("school-01", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Active, _time.GetUtcNow())], _time.GetTimestamp(), CancellationToken.None);
        await hanging.Entered.Task;   // the registry now holds the first transition and does not answer
        await service.OnEventsAsync("school-01", "gw-1", [new DeviceEvent("d2", EventType.Smoke, EventState.Active, _time.GetUtcNow())], _time.GetTimestamp(), CancellationToken.None);
        await service.OnEventsAsync("school-01", "gw-1", [new DeviceEvent("d3", EventType.Heat, EventState.Active, _time.GetUtcNow())], _time.GetTimestamp(), CancellationToken.None);

        Assert.Equal(["d1", "d2", "d3"], notifier.Alarms.Select(a => a.Device));
        Assert.Equal(3, service.Query([AlarmState.ActiveUnack], null, 10).Count);

        hanging.Release.SetResult();
        using var drained = new CancellationTokenSource(Eventually.DefaultTimeout);
        await service.HazardFeedDrainedAsync(drained.Token);
        Assert.Equal(["d1", "d2", "d3"], hanging.Seen.Select(t => t.Alarm.Device));
    }

    private sealed class HangingFeed : IHazardFeed
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<AlarmTransition> Seen { get; } = new();

        public async Task AlarmTransitionAsync(AlarmTransition transition, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Release.Task;
            Seen.Enqueue(transition);
        }
    }

    private sealed class RecordingFeed : IHazardFeed
    {
        public ConcurrentQueue<AlarmTransition> Transitions { get; } = new();

        public Task AlarmTransitionAsync(AlarmTransition transition, CancellationToken cancellationToken)
        {
            Transitions.Enqueue(transition);
            return Task.CompletedTask;
        }
    }

    private sealed class FailingFeed : IHazardFeed
    {
        public Task AlarmTransitionAsync(AlarmTransition transition, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("hazard registry down");
    }

    private sealed class RecordingNotifier : IAlarmNotifier
    {
        public ConcurrentQueue<Alarm> Alarms { get; } = new();

        public Task AlarmChangedAsync(Alarm alarm, CancellationToken cancellationToken)
        {
            Alarms.Enqueue(alarm);
            return Task.CompletedTask;
        }
    }

    private sealed class FailingNotifier : IAlarmNotifier
    {
        public Task AlarmChangedAsync(Alarm alarm, CancellationToken cancellationToken) => throw new IOException("hub gone");
    }
}
