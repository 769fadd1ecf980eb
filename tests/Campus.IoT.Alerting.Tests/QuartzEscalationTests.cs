using System.Collections.Concurrent;
using Campus.IoT.Alerting.Escalation;
using Campus.IoT.Telemetry;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Alerting.Tests;

/// <summary>
/// The escalation ladder as the host runs it: the alarm service with Quartz.NET 4 triggers on a fake clock and a real SQLite
/// store. Quartz's scheduler thread fires a trigger when the fake clock reaches it; the tests wait for the stored result.
/// </summary>
public sealed class QuartzEscalationTests : IAsyncDisposable
{
    private const string Site = "school-01";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero));
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-quartz-").FullName;
    private readonly CapturedLogs _logs = new();
    private readonly TestMeterFactory _meters = new();
    private readonly List<IAsyncDisposable> _disposables = [];

    private string DbPath => Path.Combine(_directory, "alarms.db");

    private (AlarmService Service, EscalationScheduler Scheduler, IAlarmStore Store) Start()
    {
        var store = new SqliteAlarmStore(DbPath);
        var scheduler = new EscalationScheduler(_time, _logs.CreateLogger<EscalationScheduler>());
        var service = new AlarmService(store, new Pushes(), new AlertingMetrics(_meters), _time, _logs.CreateLogger<AlarmService>(), escalations: scheduler);
        _disposables.Add(new Stop(service, scheduler, store));
        return (service, scheduler, store);
    }

    private async Task<string> RaiseSmokeAsync(AlarmService service, string device = "smoke-3f")
    {
        await service.OnEventsAsync(Site, "gw-1", [new DeviceEvent(device, EventType.Smoke, EventState.Active, _time.GetUtcNow())], _time.GetTimestamp(), CancellationToken.None);
        return service.Query([AlarmState.ActiveUnack], Site, 100).Single(a => a.Device == device).Id;
    }

    private static Task<int> LevelAsync(IAlarmStore store, string id, int level) =>
        Eventually.True(() => store.Find(id)!.EscalationLevel >= level, $"alarm {id} at level {level}").ContinueWith(_ => store.Find(id)!.EscalationLevel, TaskScheduler.Default);

    [Fact]
    public async Task Quartz_fires_level_1_at_60_s_and_level_2_at_180_s_of_the_clock_and_acknowledging_stops_the_ladder()
    {
        var (service, scheduler, store) = Start();
        var raisedAt = _time.GetUtcNow();
        var id = await RaiseSmokeAsync(service);
        Assert.Equal(raisedAt.AddSeconds(60), scheduler.Armed[id]);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, store.Find(id)!.EscalationLevel);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await LevelAsync(store, id, 1));
        await Eventually.True(() => scheduler.Armed.TryGetValue(id, out var due) && due == raisedAt.AddSeconds(180), "level 2 armed at +180 s");

        _time.Advance(TimeSpan.FromSeconds(120));
        Assert.Equal(2, await LevelAsync(store, id, 2));
        await Eventually.True(() => !scheduler.Armed.ContainsKey(id), "nothing armed after the last level");

        var audit = store.Audit(id).Where(e => e.Transition == "escalated").ToList();
        Assert.Equal([raisedAt.AddSeconds(60), raisedAt.AddSeconds(180)], audit.Select(e => e.At));
        Assert.Equal(["level 1: safety-officer, principal", "level 2: district-duty-office"], audit.Select(e => e.Note));
    }

    [Fact]
    public async Task Acknowledging_disarms_the_next_step()
    {
        var (service, scheduler, store) = Start();
        var id = await RaiseSmokeAsync(service);
        _time.Advance(TimeSpan.FromSeconds(60));
        await LevelAsync(store, id, 1);

        Assert.Equal(AckResult.Acknowledged, (await service.AcknowledgeAsync(id, "王五", "到场处置", CancellationToken.None)).Result);
        Assert.False(scheduler.Armed.ContainsKey(id));

        // Proof that no step of the acknowledged alarm is pending: a second alarm raised now reaches its own level 1 60 s
        // later; Quartz fires triggers in time order, so a level 2 of the first (due at +180 s) would have fired first.
        _time.Advance(TimeSpan.FromSeconds(150));
        var second = await RaiseSmokeAsync(service, "smoke-4f");
        _time.Advance(TimeSpan.FromSeconds(60));
        await LevelAsync(store, second, 1);
        Assert.Equal(1, store.Find(id)!.EscalationLevel);
        Assert.Single(store.Audit(id), e => e.Transition == "escalated");
    }

    [Fact]
    public async Task A_restart_in_the_middle_of_the_ladder_rearms_from_the_store_and_neither_repeats_nor_skips_a_step()
    {
        var first = Start();
        var raisedAt = _time.GetUtcNow();
        var id = await RaiseSmokeAsync(first.Service);
        _time.Advance(TimeSpan.FromSeconds(100));
        await LevelAsync(first.Store, id, 1);
        await DisposeFirstAsync();

        // The process comes back 100 s after the raise: the next step is level 2 at +180 s, armed from the stored level.
        var second = Start();
        await second.Service.RearmEscalationsAsync(CancellationToken.None);
        Assert.Equal(raisedAt.AddSeconds(180), second.Scheduler.Armed[id]);
        _time.Advance(TimeSpan.FromSeconds(80));
        Assert.Equal(2, await LevelAsync(second.Store, id, 2));
        Assert.Equal([1, 2], EscalatedLevels(second.Store, id));
    }

    [Fact]
    public async Task A_step_that_fell_due_while_the_process_was_down_fires_at_start_once()
    {
        var first = Start();
        var id = await RaiseSmokeAsync(first.Service);
        _time.Advance(TimeSpan.FromSeconds(61));
        await LevelAsync(first.Store, id, 1);
        await DisposeFirstAsync();

        // Down from +61 s to +10 min: level 2 (due at +180 s) is overdue at start; Quartz's misfire policy fires it now.
        _time.Advance(TimeSpan.FromMinutes(9));
        var second = Start();
        await second.Service.RearmEscalationsAsync(CancellationToken.None);
        Assert.Equal(2, await LevelAsync(second.Store, id, 2));
        await Eventually.True(() => !second.Scheduler.Armed.ContainsKey(id), "ladder done");
        Assert.Equal([1, 2], EscalatedLevels(second.Store, id));
    }

    private static int[] EscalatedLevels(IAlarmStore store, string id) =>
        [.. store.Audit(id).Where(e => e.Transition == "escalated").Select(e => int.Parse(e.Note!.AsSpan(6, 1), System.Globalization.CultureInfo.InvariantCulture))];

    private async Task DisposeFirstAsync()
    {
        var first = _disposables[0];
        _disposables.RemoveAt(0);
        await first.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _disposables)
        {
            await d.DisposeAsync();
        }

        _meters.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed class Pushes : IAlarmNotifier
    {
        public ConcurrentQueue<Alarm> Alarms { get; } = new();

        public Task AlarmChangedAsync(Alarm alarm, CancellationToken cancellationToken)
        {
            Alarms.Enqueue(alarm);
            return Task.CompletedTask;
        }
    }

    private sealed class Stop(AlarmService service, EscalationScheduler scheduler, IAlarmStore store) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await scheduler.DisposeAsync();
            service.Dispose();
            store.Dispose();
        }
    }
}
