using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Notifications;
using Campus.IoT.Telemetry;
using Campus.IoT.Tests.Common;
using Npgsql;

namespace Campus.IoT.Alerting.Tests;

/// <summary>
/// The alarm store tests on a real PostgreSQL (a database of each test's own), and what only a store shared by several
/// nodes must do: nodes starting at once, and nodes appending to one audit chain at once.
/// </summary>
public sealed class PostgresAlarmStoreTests : AlarmStoreTests
{
    private string? _connectionString;

    private protected override async Task CreateDatabaseAsync(string directory) => _connectionString = await PostgresServer.CreateDatabaseAsync();

    private protected override IAlarmStore OpenStore() => new PostgresAlarmStore(_connectionString!, Time);

    private protected override IDeliveryStore OpenDeliveryStore() => new PostgresDeliveryStore(_connectionString!);

    private protected override void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(_connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private protected override void ExecuteAroundTriggers(string sql) =>
        Execute($"ALTER TABLE alarm_audit DISABLE TRIGGER alarm_audit_no_change; {sql}; ALTER TABLE alarm_audit ENABLE TRIGGER alarm_audit_no_change");

    [Fact]
    public void The_trail_refuses_truncate()
    {
        WriteTrail();
        var truncate = Assert.Throws<PostgresException>(() => Execute("TRUNCATE alarm_audit"));
        Assert.Contains("append-only", truncate.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nodes_starting_at_the_same_moment_each_create_the_schema_safely()
    {
        using var start = new Barrier(4);
        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                return i % 2 == 0 ? (IDisposable)Open() : OpenDeliveryStore();
            },
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
        foreach (var store in opened.OfType<IDeliveryStore>())
        {
            store.Dispose();
        }

        Assert.Equal(new AuditVerification(true, 0, null, null), Open().VerifyAudit());
    }

    [Fact]
    public async Task Two_nodes_saving_at_once_append_to_one_intact_chain()
    {
        const int Each = 200;
        var nodes = new[] { Open(), Open() };
        using var start = new Barrier(nodes.Length);
        await Task.WhenAll(nodes.Select((node, n) => Task.Factory.StartNew(
            () =>
            {
                var site = $"school-{n + 1:00}";
                var engine = new AlarmEngine(Time);
                start.SignalAndWait();
                for (var i = 0; i < Each; i++)
                {
                    var now = Time.GetUtcNow();
                    node.Save(engine.OnEvents(site, "gw-1", [new DeviceEvent($"smoke-{i}", EventType.Smoke, EventState.Active, now)]), [new InputMark(site, "gw-1", i, now, now)]);
                }
            },
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));

        foreach (var node in nodes)
        {
            Assert.Equal(new AuditVerification(true, 2 * Each, null, null), node.VerifyAudit());
        }

        var all = nodes[0].Query([], null, 10 * Each);
        Assert.Equal(2 * Each, all.Count);
        foreach (var site in new[] { "school-01", "school-02" })
        {
            Assert.Equal(Each, all.Count(a => a.Site == site));
            Assert.Equal(Each, nodes[1].LoadOpen(site).Count);
            Assert.Equal(Enumerable.Range(0, Each).Select(i => (long)i), nodes[1].RecentInputs(site, DateTimeOffset.UnixEpoch).Select(m => m.Seq).Order());
        }

        Assert.All(all, a => Assert.Equal("raised", Assert.Single(nodes[1].Audit(a.Id)).Transition));
    }
}
