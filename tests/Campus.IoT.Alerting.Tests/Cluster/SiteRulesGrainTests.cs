using System.Diagnostics.Metrics;
using Campus.IoT.Alerting.Cluster;
using Campus.IoT.Alerting.Escalation;
using Campus.IoT.Alerting.Notifications;
using Campus.IoT.Alerting.Rules;
using Campus.IoT.Telemetry;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Campus.IoT.Alerting.Tests.Cluster;

/// <summary>
/// A school's engine as a grain, on a real Orleans silo in this process (localhost clustering) over a real SQLite alarm
/// store: the copies of a message forwarded by several nodes are dropped by seq, never by content or order; a school taken
/// over replays the node's journal (inputs whose transitions are stored only feed the detectors); the console watchdog's
/// reports of the nodes are combined, a node that is not alive no longer counting.
/// </summary>
public sealed class SiteRulesGrainTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-grain-").FullName;
    private IHost _host = null!;
    private SqliteAlarmStore _store = null!;

    private IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    private SiteJournal Journal => _host.Services.GetRequiredService<SiteJournal>();

    private string Node => _host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString();

    public async Task InitializeAsync()
    {
        var rules = Path.Combine(_directory, "rules.yaml");
        await File.WriteAllTextAsync(rules, """
            rules:
              - name: cold-test
                profile: cold-test
                metric: temperature
                detector: level
                raise: { outside: [0, 8], for: 20s }
                clear: { inside: [0.5, 7.5], for: 5s }
                severity: major
            profiles:
              - devices: "fridge-*"
                profile: cold-test
            """);
        _store = new SqliteAlarmStore(Path.Combine(_directory, "alarms.db"));
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var settings = new ClusterSettings { Enabled = true };
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort.Next(), FreePort.Next());
            RulesClusterSetup.ConfigureSilo(silo, settings);
        });
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IMeterFactory, TestMeterFactory>();
        services.AddSingleton<AlertingMetrics>();
        services.AddSingleton<IAlarmStore>(_store);
        services.AddSingleton<IDeliveryStore>(new SqliteDeliveryStore(Path.Combine(_directory, "alarms.db")));
        services.AddSingleton<IAlarmNotifier, NullNotifier>();
        services.AddSingleton(sp => new RulesProvider(rules, NullLogger<RulesProvider>.Instance));
        services.AddSingleton(new NotifyOptions());
        services.AddSingleton<EscalationScheduler>();
        services.AddSingleton<NotificationDispatcher>();
        RulesClusterSetup.AddNodeServices(services, settings);
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_copy_of_a_message_is_dropped_by_its_seq_and_a_fire_event_overtaken_by_a_later_reading_is_not()
    {
        var grain = Grains.GetGrain<ISiteRulesGrain>("school-g1");
        var sent = DateTimeOffset.UtcNow;
        var smoke = new[] { new DeviceEvent("smoke-1", EventType.Smoke, EventState.Active, sent) };

        // The second node's copy of seq 5: no second raise, no repeat.
        await grain.Events("gw-1", 5, sent, smoke);
        await grain.Events("gw-1", 5, sent, smoke);
        Assert.Equal(1, Single("school-g1", "smoke-1").Count);

        // The same content under a new seq is a new message: a repeat of the open alarm.
        await grain.Events("gw-1", 6, sent, smoke);
        Assert.Equal(2, Single("school-g1", "smoke-1").Count);

        // Telemetry and events come on separate connections: seq 20 (a reading) before seq 19 (a fire event). Both count.
        await grain.Readings("gw-1", 20, sent, [new Reading("fridge-1", "temperature", 4.0, sent)]);
        await grain.Events("gw-1", 19, sent, [new DeviceEvent("smoke-2", EventType.Smoke, EventState.Active, sent)]);
        Assert.Equal(1, Single("school-g1", "smoke-2").Count);

        // The same seq from another gateway is another message.
        await grain.Events("gw-2", 5, sent, [new DeviceEvent("smoke-3", EventType.Smoke, EventState.Active, sent)]);
        Assert.Equal(1, Single("school-g1", "smoke-3").Count);

        // A replaced gateway numbering from 1 again: seq 5 with a later ts is a new message.
        await grain.Events("gw-1", 5, sent.AddMinutes(1), [new DeviceEvent("smoke-4", EventType.Smoke, EventState.Active, sent.AddMinutes(1))]);
        Assert.Equal(1, Single("school-g1", "smoke-4").Count);
    }

    [Fact]
    public async Task A_school_taken_over_replays_the_journal_raising_what_was_missed_and_nothing_already_stored()
    {
        const string site = "school-g2";
        var now = DateTimeOffset.UtcNow;

        // What this node received while another node ran the school: a smoke event whose alarm that node stored (its
        // input mark is in the store), then 25 s of a fridge at 12 °C, which that node died before raising (held 20 s).
        var stored = new Alarm
        {
            Id = "stored-smoke", Rule = "fire", Site = site, Gateway = "gw-1", Device = "smoke-1", Severity = AlarmSeverity.Critical,
            State = AlarmState.ActiveUnack, RaisedAt = now.AddSeconds(-40), UpdatedAt = now.AddSeconds(-40), Count = 1, Type = EventType.Smoke,
        };
        _store.Save([new AlarmTransition(AlarmTransitionKind.Raised, stored, now.AddSeconds(-40), "system")], [new InputMark(site, "gw-1", 1, now.AddSeconds(-40), now.AddSeconds(-40))]);
        Journal.Append(site, new JournalEntry("gw-1", new MessageId(1, now.AddSeconds(-40)), null, [new DeviceEvent("smoke-1", EventType.Smoke, EventState.Active, now.AddSeconds(-40))], null, now.AddSeconds(-40)));
        for (var i = 0; i <= 25; i += 5)
        {
            Journal.Append(site, new JournalEntry("gw-1", new MessageId(2 + (i / 5), now.AddSeconds(-30 + i)), [new Reading("fridge-1", "temperature", 12.0, now.AddSeconds(-30 + i))], null, null, now.AddSeconds(-30 + i)));
        }

        // The first call activates the school here: the replay raises the fridge once, the smoke alarm is not raised again.
        var grain = Grains.GetGrain<ISiteRulesGrain>(site);
        Assert.Equal(Node, await grain.Wake());
        var alarms = _store.LoadOpen(site);
        Assert.Equal("stored-smoke", Assert.Single(alarms, a => a.Device == "smoke-1").Id);
        Assert.Equal(1, Assert.Single(alarms, a => a.Device == "fridge-1").Count);
        Assert.Single(_store.Audit("stored-smoke"));

        // The live copies of the journal's messages (from the other node's forwarder) change nothing.
        await grain.Readings("gw-1", 7, now.AddSeconds(-5), [new Reading("fridge-1", "temperature", 12.0, now.AddSeconds(-5))]);
        await grain.Events("gw-1", 1, now.AddSeconds(-40), [new DeviceEvent("smoke-1", EventType.Smoke, EventState.Active, now.AddSeconds(-40))]);
        Assert.Single(_store.Audit("stored-smoke"));
        Assert.Equal(1, _store.LoadOpen(site).Single(a => a.Device == "fridge-1").Count);
    }

    [Fact]
    public async Task A_takeover_after_a_tick_raised_and_cleared_an_alarm_raises_no_ghost_and_raises_what_was_held_but_not_yet_raised()
    {
        const string site = "school-g5";
        var now = DateTimeOffset.UtcNow;

        // The dead node raised fridge-1's excursion and cleared it from its tick (no input mark), and the alarm was
        // acknowledged (closed) 2 s ago. fridge-2 held its excursion just as long, but the node died before its tick.
        var closed = new Alarm
        {
            Id = "closed-fridge", Rule = "cold-test", Site = site, Gateway = "gw-1", Device = "fridge-1", Severity = AlarmSeverity.Major,
            State = AlarmState.Cleared, RaisedAt = now.AddSeconds(-30), UpdatedAt = now.AddSeconds(-2), Count = 1,
        };
        _store.Save([new AlarmTransition(AlarmTransitionKind.Raised, closed with { State = AlarmState.ActiveUnack, UpdatedAt = now.AddSeconds(-8) }, now.AddSeconds(-8), "system"),
            new AlarmTransition(AlarmTransitionKind.Acknowledged, closed, now.AddSeconds(-2), "guard")]);
        var seq = 0;
        for (var i = 0; i <= 25; i += 5)
        {
            var at = now.AddSeconds(-30 + i);
            Journal.Append(site, new JournalEntry("gw-1", new MessageId(++seq, at), [new Reading("fridge-1", "temperature", i < 25 ? 12.0 : 4.0, at), new Reading("fridge-2", "temperature", 12.0, at)], null, null, at));
        }

        await Grains.GetGrain<ISiteRulesGrain>(site).Wake();
        var open = _store.LoadOpen(site);
        Assert.DoesNotContain(open, a => a.Device == "fridge-1");
        Assert.Equal("raised at takeover: the condition held before this node took the school over", Assert.Single(_store.Audit(Assert.Single(open, a => a.Device == "fridge-2").Id)).Note);
    }

    [Fact]
    public async Task A_lagging_node_s_copy_of_an_old_gateway_status_changes_nothing()
    {
        const string site = "school-g4";
        var grain = Grains.GetGrain<ISiteRulesGrain>(site);
        var connected = DateTimeOffset.UtcNow.AddMinutes(-10);
        var online = DateTimeOffset.UtcNow;

        // Node A forwards the Last Will (its ts: when the gateway connected) and then the gateway's return.
        await grain.GatewayStatus("gw-1", online: false, connected);
        await grain.GatewayStatus("gw-1", online: true, online);
        var alarm = Assert.Single(_store.LoadOpen(site), a => a.Rule == AlarmEngine.GatewayOfflineRule);
        Assert.Equal(AlarmState.ClearedUnack, alarm.State);

        // Node B, behind, forwards the same two: neither re-raises nor counts.
        await grain.GatewayStatus("gw-1", online: false, connected);
        await grain.GatewayStatus("gw-1", online: true, online);
        alarm = Assert.Single(_store.LoadOpen(site), a => a.Rule == AlarmEngine.GatewayOfflineRule);
        Assert.Equal((AlarmState.ClearedUnack, 1), (alarm.State, alarm.Count));
        Assert.Equal(["raised", "cleared"], _store.Audit(alarm.Id).Select(a => a.Transition));
    }

    [Fact]
    public async Task A_school_is_unattended_only_when_every_live_node_says_so()
    {
        const string site = "school-g3";
        var grain = Grains.GetGrain<ISiteRulesGrain>(site);

        // A node that is not in the membership (it died) reports no board: this live node has not, so no alarm.
        await grain.Console("127.0.0.1:1@1", attended: false, "no board on the dead node");
        Assert.DoesNotContain(_store.LoadOpen(site), a => a.Rule == AlarmEngine.ConsoleRule);

        // Every live node (here: this one) reports no board: the school is unattended.
        await grain.Console(Node, attended: false, "no guard-room board");
        Assert.Single(_store.LoadOpen(site), a => a.Rule == AlarmEngine.ConsoleRule && a.State == AlarmState.ActiveUnack);

        // A board back on any node clears it.
        await grain.Console(Node, attended: true, "board back");
        Assert.DoesNotContain(_store.LoadOpen(site), a => a.Rule == AlarmEngine.ConsoleRule && a.State is AlarmState.ActiveUnack or AlarmState.ActiveAck);
    }

    private Alarm Single(string site, string device) => Assert.Single(_store.LoadOpen(site), a => a.Device == device);

    private sealed class NullNotifier : IAlarmNotifier
    {
        public Task AlarmChangedAsync(Alarm alarm, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
