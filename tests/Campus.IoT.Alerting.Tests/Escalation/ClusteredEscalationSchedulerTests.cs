using System.Collections.Concurrent;
using System.Diagnostics;
using Campus.IoT.Alerting.Escalation;
using Campus.IoT.Tests.Common;
using Npgsql;
using Xunit.Abstractions;

namespace Campus.IoT.Alerting.Tests.Escalation;

/// <summary>
/// The district's escalation scheduler: two nodes (two <see cref="EscalationScheduler"/>s, each its own Quartz scheduler)
/// clustered on one real PostgreSQL database, on the wall clock (Quartz's cluster check-ins and trigger waits are real
/// time). Due times are a few seconds out; each test waits for a later "fence" trigger rather than sleeping, so a second
/// firing of any earlier step would have come before the fence did.
/// </summary>
public sealed class ClusteredEscalationSchedulerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly CapturedLogs _logs = new();
    private readonly List<Node> _nodes = [];
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private string _database = string.Empty;

    public async Task InitializeAsync() => _database = await PostgresServer.CreateDatabaseAsync();

    private sealed record Node(string Id, EscalationScheduler Scheduler, ConcurrentDictionary<string, int> Fired, ConcurrentDictionary<string, string> Sites);

    private async Task<Node> StartNodeAsync(string id)
    {
        var options = new EscalationStoreOptions { ConnectionString = _database, InstanceId = id, CheckinInterval = TimeSpan.FromSeconds(1), CheckinMisfireThreshold = TimeSpan.FromSeconds(3) };
        var scheduler = new EscalationScheduler(TimeProvider.System, _logs.CreateLogger<EscalationScheduler>(), options);
        var node = new Node(id, scheduler, new(StringComparer.Ordinal), new(StringComparer.Ordinal));
        scheduler.Attach((alarm, site, _) =>
        {
            node.Fired.AddOrUpdate(alarm, 1, (_, n) => n + 1);
            node.Sites[alarm] = site;
            return Task.CompletedTask;
        });
        _nodes.Add(node);
        await scheduler.StartAsync(CancellationToken.None);
        return node;
    }

    private int FiredInTotal(string alarm) => _nodes.Sum(n => n.Fired.GetValueOrDefault(alarm));

    private Task FenceAsync(string fence) => Eventually.True(() => FiredInTotal(fence) > 0, $"fence {fence} fired", Wait);

    private async Task<long> CountAsync(string table, string name)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM qrtz_{table} WHERE sched_name = @s AND {(table == "triggers" ? "trigger_name" : "job_name")} = @n", connection);
        command.Parameters.AddWithValue("s", EscalationScheduler.ClusterName);
        command.Parameters.AddWithValue("n", name);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<DateTimeOffset> NextFireAsync(string name)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT next_fire_time FROM qrtz_triggers WHERE sched_name = @s AND trigger_name = @n", connection);
        command.Parameters.AddWithValue("s", EscalationScheduler.ClusterName);
        command.Parameters.AddWithValue("n", name);
        return new DateTimeOffset((long)(await command.ExecuteScalarAsync())!, TimeSpan.Zero);
    }

    private async Task<List<string>> CheckedInAsync()
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT instance_name FROM qrtz_scheduler_state WHERE sched_name = @s ORDER BY instance_name", connection);
        command.Parameters.AddWithValue("s", EscalationScheduler.ClusterName);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    [Fact]
    public async Task Two_nodes_on_one_database_fire_every_step_exactly_once_in_total()
    {
        var a = await StartNodeAsync("node-a");
        var b = await StartNodeAsync("node-b");
        var now = DateTimeOffset.UtcNow;
        var alarms = Enumerable.Range(0, 20).Select(i => $"alarm-{i:D2}").ToList();
        for (var i = 0; i < alarms.Count; i++)
        {
            // Half armed through each node, due 2-4 s ahead, spread over the two seconds.
            var node = i % 2 == 0 ? a : b;
            await node.Scheduler.ArmAsync(alarms[i], $"school-{i:D2}", now.AddSeconds(2 + (i * 0.1)), CancellationToken.None);
        }

        await a.Scheduler.ArmAsync("fence", "school-00", now.AddSeconds(7), CancellationToken.None);
        await FenceAsync("fence");

        Assert.All(alarms, id => Assert.Equal(1, FiredInTotal(id)));
        Assert.All(alarms, id => Assert.Equal($"school-{id[^2..]}", _nodes.Select(n => n.Sites.GetValueOrDefault(id)).Single(s => s is not null)));
        Assert.Equal(1, FiredInTotal("fence"));
        Assert.Equal(["node-a", "node-b"], await CheckedInAsync());      // one cluster, one check-in row per node
        output.WriteLine($"node-a fired {a.Fired.Count}, node-b fired {b.Fired.Count}; {_elapsed.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task A_node_shut_down_before_its_steps_are_due_leaves_them_to_the_other_which_fires_each_once()
    {
        var a = await StartNodeAsync("node-a");
        var b = await StartNodeAsync("node-b");
        var now = DateTimeOffset.UtcNow;
        var alarms = Enumerable.Range(0, 10).Select(i => $"alarm-{i}").ToList();
        for (var i = 0; i < alarms.Count; i++)
        {
            await a.Scheduler.ArmAsync(alarms[i], "school-01", now.AddSeconds(3 + (i * 0.1)), CancellationToken.None);
        }

        await a.Scheduler.DisposeAsync();
        _nodes.Remove(a);
        Assert.Empty(a.Fired);

        await b.Scheduler.ArmAsync("fence", "school-01", now.AddSeconds(7), CancellationToken.None);
        await FenceAsync("fence");

        Assert.All(alarms, id => Assert.Equal(1, b.Fired.GetValueOrDefault(id)));
        Assert.Empty(a.Fired);
        output.WriteLine($"{_elapsed.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task A_step_a_node_was_running_when_it_went_away_is_run_again_on_the_other_node()
    {
        var a = await StartNodeAsync("node-a");
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Scheduler.Attach(async (alarm, _, _) =>
        {
            a.Fired.AddOrUpdate(alarm, 1, (_, n) => n + 1);
            started.TrySetResult();
            await stuck.Task;                                             // the node "dies" in the middle of the step
        });

        // Only node a runs until the step has started there; then node b joins and node a goes away without finishing it
        // (its shutdown does not wait for jobs: the firing is left as a crashed node leaves it, and node b recovers it once
        // node a's check-in has lapsed, since the job requests recovery).
        await a.Scheduler.ArmAsync("alarm-d", "school-07", DateTimeOffset.UtcNow.AddSeconds(1), CancellationToken.None);
        await started.Task.WaitAsync(Wait);
        var b = await StartNodeAsync("node-b");
        await a.Scheduler.DisposeAsync();
        _nodes.Remove(a);

        try
        {
            await Eventually.True(() => b.Fired.ContainsKey("alarm-d"), "alarm-d recovered on node b", Wait);
            Assert.Equal("school-07", b.Sites["alarm-d"]);
            Assert.Equal(1, a.Fired["alarm-d"]);
            await b.Scheduler.ArmAsync("fence", "school-01", DateTimeOffset.UtcNow.AddSeconds(2), CancellationToken.None);
            await FenceAsync("fence");
            Assert.Equal(1, b.Fired["alarm-d"]);
            output.WriteLine($"{_elapsed.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            stuck.TrySetResult();
        }
    }

    [Fact]
    public async Task Rearming_on_the_other_node_replaces_the_trigger_and_disarming_on_the_other_node_deletes_it()
    {
        var a = await StartNodeAsync("node-a");
        var b = await StartNodeAsync("node-b");
        var now = DateTimeOffset.UtcNow;
        var due = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

        await a.Scheduler.ArmAsync("alarm-x", "school-01", due.AddMinutes(10), CancellationToken.None);
        await b.Scheduler.ArmAsync("alarm-x", "school-01", due.AddMinutes(5), CancellationToken.None);
        Assert.Equal(1, await CountAsync("triggers", "alarm-x"));
        Assert.Equal(1, await CountAsync("job_details", "alarm-x"));
        Assert.Equal(due.AddMinutes(5), await NextFireAsync("alarm-x"));

        // Node a disarms what node b armed last; node b disarms what only node a armed (nothing of it in b's local cache).
        await a.Scheduler.ArmAsync("alarm-y", "school-02", due.AddMinutes(5), CancellationToken.None);
        Assert.False(b.Scheduler.Armed.ContainsKey("alarm-y"));
        await a.Scheduler.DisarmAsync("alarm-x", CancellationToken.None);
        await b.Scheduler.DisarmAsync("alarm-y", CancellationToken.None);

        Assert.Equal(0, await CountAsync("triggers", "alarm-x"));
        Assert.Equal(0, await CountAsync("job_details", "alarm-x"));
        Assert.Equal(0, await CountAsync("triggers", "alarm-y"));
        Assert.Equal(0, await CountAsync("job_details", "alarm-y"));
    }

    [Fact]
    public async Task A_step_that_arms_the_next_level_from_inside_its_own_firing_gets_that_level_fired_once()
    {
        // As the alarm service does: the step's callback arms the same alarm's next level while its job still runs.
        var a = await StartNodeAsync("node-a");
        var b = await StartNodeAsync("node-b");
        var levels = new ConcurrentQueue<string>();
        foreach (var node in new[] { a, b })
        {
            var scheduler = node.Scheduler;
            scheduler.Attach(async (alarm, site, ct) =>
            {
                node.Fired.AddOrUpdate(alarm, 1, (_, n) => n + 1);
                if (alarm == "alarm-x")
                {
                    levels.Enqueue(node.Id);
                    if (levels.Count < 3)
                    {
                        await scheduler.ArmAsync(alarm, site, DateTimeOffset.UtcNow.AddSeconds(1), ct);
                    }
                }
            });
        }

        var now = DateTimeOffset.UtcNow;
        await a.Scheduler.ArmAsync("alarm-x", "school-01", now.AddSeconds(2), CancellationToken.None);
        await Eventually.True(() => levels.Count >= 3, "three levels of alarm-x", Wait);
        await b.Scheduler.ArmAsync("fence", "school-01", DateTimeOffset.UtcNow.AddSeconds(3), CancellationToken.None);
        await FenceAsync("fence");

        Assert.Equal(3, levels.Count);
        Assert.Equal(0, await CountAsync("triggers", "alarm-x"));            // the last level armed nothing more
        Assert.Equal(0, await CountAsync("job_details", "alarm-x"));         // not durable: gone with its last trigger
        output.WriteLine($"levels fired on {string.Join(", ", levels)}; {_elapsed.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task Two_nodes_starting_together_on_an_empty_database_create_the_tables_once_and_both_join()
    {
        var starts = await Task.WhenAll(StartNodeAsync("node-a"), StartNodeAsync("node-b"));
        var now = DateTimeOffset.UtcNow;
        await starts[1].Scheduler.ArmAsync("fence", "school-01", now.AddSeconds(2), CancellationToken.None);
        await FenceAsync("fence");
        Assert.Equal(1, FiredInTotal("fence"));
        Assert.Empty(_logs.Errors);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.Scheduler.DisposeAsync();
        }

        _logs.Dispose();
        output.WriteLine($"test took {_elapsed.Elapsed.TotalSeconds:F1} s");
    }
}
