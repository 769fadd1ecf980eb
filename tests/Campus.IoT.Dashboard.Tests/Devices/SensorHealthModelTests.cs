using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Rules;
using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Ingest;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Dashboard.Tests.Devices;

/// <summary>The health classification on its own: a directory, an alarm index, a seq tracker and a fake clock.</summary>
public sealed class SensorHealthModelTests : IDisposable
{
    private const string Site = "school-01";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero));
    private readonly string _dir = Directory.CreateTempSubdirectory("campus-health-").FullName;
    private readonly IAlarmStore _store;
    private readonly RulesProvider _rules = new(null, NullLogger<RulesProvider>.Instance);
    private readonly DeviceDirectory _directory;
    private readonly DeviceAlarmIndex _alarms;
    private readonly SeqTracker _seq = new();

    public SensorHealthModelTests()
    {
        _store = new SqliteAlarmStore(Path.Combine(_dir, "alarms.db"));
        _directory = new DeviceDirectory(_time);
        _alarms = new DeviceAlarmIndex(_store, _rules);
    }

    public void Dispose()
    {
        _store.Dispose();
        _rules.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private SensorHealthModel Model(HealthOptions? options = null) =>
        new(_directory, _alarms, _seq, _rules, Options.Create(options ?? new HealthOptions()), _time);

    private Task HearAsync(string device, string gateway = "gw-1", params (string Metric, double Value)[] metrics) =>
        _directory.ReadingsStoredAsync(Site, gateway, metrics.Length == 0
            ? [new Reading(device, Metrics.Temperature, 4.5, _time.GetUtcNow())]
            : [.. metrics.Select(m => new Reading(device, m.Metric, m.Value, _time.GetUtcNow()))], CancellationToken.None);

    private DeviceHealth Device(string device, SensorHealthModel? model = null) =>
        (model ?? Model()).Begin().Detail(Site).Devices.Single(d => d.Device == device);

    [Fact]
    public async Task A_device_turns_stale_after_twice_its_learnt_interval_and_offline_at_the_offline_rules_threshold()
    {
        // Every 30 s: stale after max(1 min, 2 x 30 s), offline after max(5 min, 3 x 30 s).
        for (var i = 0; i < 3; i++)
        {
            await HearAsync("fridge-1");
            _time.Advance(TimeSpan.FromSeconds(30));
        }

        _time.Advance(TimeSpan.FromSeconds(29));                            // 59 s since the last reading
        Assert.Equal((SensorStatus.Online, HealthReasons.None), (Device("fridge-1").Status, Device("fridge-1").Reasons));
        Assert.Equal(TimeSpan.FromSeconds(30), Device("fridge-1").Interval);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal((SensorStatus.Stale, HealthReasons.Late), (Device("fridge-1").Status, Device("fridge-1").Reasons));

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(61));  // exactly 5 min: the offline rule's floor
        Assert.Equal((SensorStatus.Offline, HealthReasons.Silent), (Device("fridge-1").Status, Device("fridge-1").Reasons));

        await HearAsync("fridge-1");
        Assert.Equal(SensorStatus.Online, Device("fridge-1").Status);
    }

    [Fact]
    public async Task A_slow_sensor_is_stale_after_two_intervals_and_offline_after_three()
    {
        for (var i = 0; i < 3; i++)
        {
            await HearAsync("chem-store-1");
            _time.Advance(TimeSpan.FromMinutes(10));
        }

        _time.Advance(TimeSpan.FromMinutes(5));                             // 15 min since the last reading
        Assert.Equal(SensorStatus.Online, Device("chem-store-1").Status);
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(SensorStatus.Stale, Device("chem-store-1").Status);
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(SensorStatus.Offline, Device("chem-store-1").Status);
    }

    [Fact]
    public async Task The_interval_is_learnt_from_reading_times_so_metrics_at_one_instant_count_once_and_an_outage_moves_it_only_a_little()
    {
        var t0 = _time.GetUtcNow();
        await _directory.ReadingsStoredAsync(Site, "gw-1", [new Reading("d1", Metrics.Temperature, 1, t0), new Reading("d1", Metrics.Humidity, 50, t0)], CancellationToken.None);
        await _directory.ReadingsStoredAsync(Site, "gw-1", [new Reading("d1", Metrics.Temperature, 1, t0.AddSeconds(10)), new Reading("d1", Metrics.Humidity, 50, t0.AddSeconds(10))], CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(10), Assert.Single(_directory.Facts(Site)).Interval);

        // A replayed older reading teaches nothing; the gap that ends a 1-hour outage counts as three intervals at most.
        await _directory.ReadingsStoredAsync(Site, "gw-1", [new Reading("d1", Metrics.Temperature, 1, t0.AddSeconds(5))], CancellationToken.None);
        await _directory.ReadingsStoredAsync(Site, "gw-1", [new Reading("d1", Metrics.Temperature, 1, t0.AddHours(1))], CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(14), Assert.Single(_directory.Facts(Site)).Interval);
    }

    [Fact]
    public async Task Gateway_status_alarms_battery_and_signal_decide_the_status_offline_first_then_faulty_then_stale()
    {
        await HearAsync("low-battery", "gw-1", (Metrics.Battery, 15), (Metrics.Rssi, -70));
        await HearAsync("weak-signal", "gw-1", (Metrics.Battery, 80), (Metrics.Rssi, -97));
        await HearAsync("behind-gw2", "gw-2", (Metrics.Battery, 10));
        await HearAsync("stuck", "gw-3");
        await HearAsync("offline-alarm", "gw-3");
        await HearAsync("cleared-alarm", "gw-3");
        await HearAsync("shelved-stuck", "gw-3");
        await HearAsync("panel-main", "gw-3");
        _directory.GatewayStatus(Site, "gw-2", new GatewayStatus(GatewayState.Offline, _time.GetUtcNow()));
        _directory.GatewayStatus(Site, "gw-3", new GatewayStatus(GatewayState.Online, _time.GetUtcNow()) { Version = "1.4.0" });
        Assert.True(_alarms.Apply(Alarm("a1", "sensor-stuck", "stuck", AlarmState.ActiveAck)));
        Assert.True(_alarms.Apply(Alarm("a2", "sensor-offline", "offline-alarm", AlarmState.ActiveUnack)));
        Assert.False(_alarms.Apply(Alarm("a3", "sensor-offline", "cleared-alarm", AlarmState.ClearedUnack)));
        Assert.True(_alarms.Apply(Alarm("a4", "sensor-stuck", "shelved-stuck", AlarmState.Shelved) with { ShelvedFrom = AlarmState.ActiveUnack }));
        Assert.True(_alarms.Apply(Alarm("a5", "panel-trouble", "panel-main", AlarmState.ActiveUnack)));
        Assert.False(_alarms.Apply(Alarm("a6", "fixed-heat", "panel-main", AlarmState.ActiveUnack)));   // not a health matter

        var detail = Model().Begin().Detail(Site);
        var byDevice = detail.Devices.ToDictionary(d => d.Device, d => (d.Status, d.Reasons));
        Assert.Equal((SensorStatus.Faulty, HealthReasons.LowBattery), byDevice["low-battery"]);
        Assert.Equal((SensorStatus.Online, HealthReasons.WeakSignal), byDevice["weak-signal"]);
        Assert.Equal((SensorStatus.Offline, HealthReasons.GatewayOffline | HealthReasons.LowBattery), byDevice["behind-gw2"]);
        Assert.Equal((SensorStatus.Faulty, HealthReasons.Stuck), byDevice["stuck"]);
        Assert.Equal((SensorStatus.Offline, HealthReasons.OfflineAlarm), byDevice["offline-alarm"]);
        Assert.Equal((SensorStatus.Online, HealthReasons.None), byDevice["cleared-alarm"]);
        Assert.Equal((SensorStatus.Faulty, HealthReasons.Stuck), byDevice["shelved-stuck"]);
        Assert.Equal((SensorStatus.Faulty, HealthReasons.PanelTrouble), byDevice["panel-main"]);
        Assert.Equal(["gateway-offline", "battery-low"], (HealthReasons.GatewayOffline | HealthReasons.LowBattery).ToWire());

        Assert.Equal(new SensorCounts(8, 2, 0, 4, 2), detail.Summary.Sensors);
        Assert.Equal(new GatewayCounts(3, 1, 1, 1), detail.Summary.Gateways);
        Assert.Equal((10.0, -97.0), (detail.Summary.LowestBattery, detail.Summary.WeakestRssi));
        Assert.Equal(
            [("gw-1", GatewayLinkStatus.Unknown, 2), ("gw-2", GatewayLinkStatus.Offline, 1), ("gw-3", GatewayLinkStatus.Online, 5)],
            detail.Gateways.Select(g => (g.Gateway, g.Status, g.Devices)));

        // The alarm clears: the device is itself again.
        Assert.True(_alarms.Apply(Alarm("a2", "sensor-offline", "offline-alarm", AlarmState.ClearedUnack)));
        Assert.Equal(SensorStatus.Online, Device("offline-alarm").Status);
    }

    [Fact]
    public async Task Open_alarms_in_the_store_at_start_are_in_the_index()
    {
        await HearAsync("fridge-9");
        var raised = Alarm("a9", "sensor-offline", "fridge-9", AlarmState.ActiveUnack);
        _store.Save([new AlarmTransition(AlarmTransitionKind.Raised, raised, raised.RaisedAt, "system", null)]);

        var reopened = new DeviceAlarmIndex(_store, _rules);
        var model = new SensorHealthModel(_directory, reopened, _seq, _rules, Options.Create(new HealthOptions()), _time);
        Assert.Equal((SensorStatus.Offline, HealthReasons.OfflineAlarm), (Device("fridge-9", model).Status, Device("fridge-9", model).Reasons));
    }

    [Fact]
    public async Task Seq_gaps_and_duplicates_of_a_sites_gateways_are_summed_and_shown_on_their_devices()
    {
        await HearAsync("d1", "gw-1");
        await HearAsync("d2", "gw-2");
        foreach (var seq in new long[] { 1, 2, 6, 6 })
        {
            _seq.Observe(Site, "gw-1", seq);
        }

        _seq.Observe(Site, "gw-2", 10);
        _seq.Observe(Site, "gw-2", 12);
        _seq.Observe("school-02", "gw-1", 50);
        _seq.Observe("school-02", "gw-1", 60);

        var detail = Model().Begin().Detail(Site);
        Assert.Equal((4L, 1L), (detail.Summary.SeqGaps, detail.Summary.SeqDuplicates));
        Assert.Equal([3L, 1L], detail.Devices.Select(d => d.SeqGaps));
        Assert.Equal((3L, 1L, 0L), (detail.Gateways[0].SeqGaps, detail.Gateways[0].SeqDuplicates, detail.Gateways[0].SeqResets));
    }

    [Fact]
    public async Task Buildings_come_from_the_configured_mapping_first_and_else_from_the_id_before_its_first_dash()
    {
        await HearAsync("lab3-fridge-1");
        await HearAsync("canteen-fridge-2");
        await HearAsync("smoke-3f-lab");
        await HearAsync("panel");
        var options = new HealthOptions
        {
            Buildings =
            [
                new BuildingRule { Devices = "smoke-3f-*", Building = "教学楼" },
                new BuildingRule { Devices = "lab*", Site = "school-9*", Building = "实验楼" },
            ],
        };

        var pass = Model(options).Begin();
        Assert.Equal(
            [("canteen-fridge-2", "canteen"), ("lab3-fridge-1", "lab3"), ("panel", "panel"), ("smoke-3f-lab", "教学楼")],
            pass.Detail(Site).Devices.Select(d => (d.Device, d.Building)));
        Assert.Equal("实验楼", pass.BuildingOf("school-91", "lab3-fridge-1"));
    }

    [Fact]
    public async Task A_room_bound_view_counts_only_its_devices_and_the_gateways_they_report_through()
    {
        await HearAsync("lab3-fridge-1", "gw-lab");
        await HearAsync("canteen-fridge-1", "gw-canteen");
        _directory.GatewayStatus(Site, "gw-canteen", new GatewayStatus(GatewayState.Offline, _time.GetUtcNow()));

        var detail = Model().Begin().Detail(Site, d => d.StartsWith("lab3-", StringComparison.Ordinal));
        Assert.Equal(["lab3-fridge-1"], detail.Devices.Select(d => d.Device));
        Assert.Equal(["gw-lab"], detail.Gateways.Select(g => g.Gateway));
        Assert.Equal((1, 0), (detail.Summary.Sensors.Total, detail.Summary.Gateways.Offline));
    }

    private Alarm Alarm(string id, string rule, string device, AlarmState state) => new()
    {
        Id = id,
        Rule = rule,
        Site = Site,
        Gateway = "gw-3",
        Device = device,
        Severity = AlarmSeverity.Warning,
        State = state,
        RaisedAt = _time.GetUtcNow(),
        UpdatedAt = _time.GetUtcNow(),
    };
}
