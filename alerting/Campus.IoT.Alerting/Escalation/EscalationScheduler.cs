using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Quartz;

namespace Campus.IoT.Alerting.Escalation;

/// <summary>
/// The escalation steps on Quartz.NET 4: each active, unacknowledged alarm with a policy has one one-shot trigger, at the
/// due time of its next level (<see cref="AlarmEngine.NextEscalation"/>), on the injected clock. When it fires, the alarm
/// service asks the engine to climb (which does nothing if the alarm was acknowledged meanwhile, and nothing more when the
/// same step is taken twice) and arms the next level. Acknowledging, clearing, shelving or suppressing disarms it. The
/// ladder's state is the level stored with each alarm, so at start the triggers are rebuilt from the alarm store
/// (<see cref="AlarmService.RearmEscalationsAsync"/>): a step that fell due while the process was down fires at once
/// (misfire: fire now), and one already taken is never taken again.
/// <para>
/// Two stores (<see cref="EscalationStoreOptions"/>). A school server keeps its triggers in memory. The district's rules
/// nodes share Quartz's clustered job store on PostgreSQL: one scheduler name (<see cref="ClusterName"/>) and a unique
/// instance id per node; whichever node acquires a due trigger fires it, once across the cluster; the triggers of a node
/// that stops checking in are fired by the others, and a step it was running is run again there (the job requests
/// recovery; the engine's climb is idempotent). Quartz creates its tables when they are missing, at the start of the first
/// node, under a PostgreSQL advisory lock. In that mode <see cref="Armed"/> is only this node's view, and disarming always
/// deletes the job from the store (another node may have armed it).
/// </para>
/// </summary>
internal sealed partial class EscalationScheduler(TimeProvider time, ILogger<EscalationScheduler> logger, EscalationStoreOptions? store = null) : IAsyncDisposable
{
    /// <summary>The scheduler name every node of a cluster shares (Quartz's SCHED_NAME: nodes with another are not in it).</summary>
    public const string ClusterName = "campus-escalation";

    /// <summary>The advisory lock key under which a starting node lets Quartz create its tables (any fixed number).</summary>
    internal const long SchemaLockKey = 0x63616d7075735f71; // "campus_q"

    private const string Group = "escalation";
    private readonly EscalationStoreOptions _store = store ?? new EscalationStoreOptions();
    private readonly SemaphoreSlim _start = new(1, 1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _armed = new(StringComparer.Ordinal);
    private IScheduler? _scheduler;
    private StandaloneSchedulerFactory? _factory;
    private Func<string, string, CancellationToken, Task>? _due;

    /// <summary>The alarm service's callback for a due step: alarm id, its site, cancellation (set once, by the service).</summary>
    public void Attach(Func<string, string, CancellationToken, Task> due) => _due = due;

    /// <summary>
    /// Alarms with a trigger armed, and when it is due (for tests and the health page). With the clustered store this node's
    /// view only: a trigger armed or fired by another node is not in it.
    /// </summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Armed => _armed;

    /// <summary>Whether the triggers are in the clustered PostgreSQL store.</summary>
    public bool Clustered => _store.Persistent;

    /// <summary>Starts the scheduler (and, clustered, joins the cluster and fires its share of every node's triggers).</summary>
    public Task StartAsync(CancellationToken cancellationToken) => SchedulerAsync(cancellationToken);

    /// <summary>
    /// Arms (or moves) the alarm's trigger to <paramref name="due"/>. In memory nothing is done when it is already armed for
    /// that time; clustered the store is always written, since another node may have fired or removed it.
    /// </summary>
    public async Task ArmAsync(string alarmId, string site, DateTimeOffset due, CancellationToken cancellationToken)
    {
        if (!_store.Persistent && _armed.TryGetValue(alarmId, out var armed) && armed == due)
        {
            return;
        }

        var scheduler = await SchedulerAsync(cancellationToken);
        var job = JobBuilder.Create<EscalationJob>()
            .WithIdentity(alarmId, Group)
            .UsingJobData(EscalationJob.AlarmKey, alarmId)
            .UsingJobData(EscalationJob.SiteKey, site)
            .StoreDurably(false)
            .RequestRecovery(true)
            .Build();
        var trigger = TriggerBuilder.Create(time)
            .WithIdentity(alarmId, Group)
            .StartAt(due)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        _armed[alarmId] = due;
        await scheduler.ScheduleJob(job, trigger, new ScheduleJobOptions { Replace = true }, cancellationToken);
    }

    public async Task DisarmAsync(string alarmId, CancellationToken cancellationToken)
    {
        if (_armed.TryRemove(alarmId, out _) || _store.Persistent)
        {
            var scheduler = await SchedulerAsync(cancellationToken);
            await scheduler.DeleteJob(new JobKey(alarmId, Group), cancellationToken);
        }
    }

    /// <summary>Called by <see cref="EscalationJob"/> when an alarm's trigger fires.</summary>
    internal async Task FireAsync(string alarmId, string site, DateTimeOffset scheduled, CancellationToken cancellationToken)
    {
        if (_armed.TryGetValue(alarmId, out var armed) && armed == scheduled)
        {
            _armed.TryRemove(new KeyValuePair<string, DateTimeOffset>(alarmId, armed));
        }

        if (_due is null)
        {
            LogNoService(logger, alarmId);
            return;
        }

        try
        {
            await _due(alarmId, site, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStepFailed(logger, ex, alarmId);
        }
    }

    private async Task<IScheduler> SchedulerAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is { } ready)
        {
            return ready;
        }

        await _start.WaitAsync(cancellationToken);
        try
        {
            _scheduler ??= _store.Persistent ? await StartClusteredAsync(cancellationToken) : await StartInMemoryAsync(cancellationToken);
            return _scheduler;
        }
        finally
        {
            _start.Release();
        }
    }

    private async Task<IScheduler> StartInMemoryAsync(CancellationToken cancellationToken)
    {
        var builder = QuartzSchedulerBuilder.Create(q =>
        {
            // Several hosts can share a process (tests): each in-memory scheduler needs its own name.
            q.ConfigureScheduler(o => o.InstanceName = $"{ClusterName}-{Guid.NewGuid():N}");
            q.UseTimeProvider(time);
            q.UseInMemoryStore();
            q.UseDefaultThreadPool(2);
            q.Services.AddSingleton(this);
        });
        return await StartAsync(builder, cancellationToken);
    }

    /// <summary>Builds and starts the scheduler, keeping the factory that owns its container (disposed with this).</summary>
    private async Task<IScheduler> StartAsync(QuartzSchedulerBuilder builder, CancellationToken cancellationToken)
    {
        _factory = builder.Build();
        var scheduler = await _factory.GetScheduler(cancellationToken);
        await scheduler.Start(cancellationToken);
        return scheduler;
    }

    private async Task<IScheduler> StartClusteredAsync(CancellationToken cancellationToken)
    {
        var builder = QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = ClusterName;
                // In Quartz 4 "AUTO" is no longer a magic id in code: generating one is a setting of its own.
                if (string.IsNullOrWhiteSpace(_store.InstanceId) || string.Equals(_store.InstanceId, EscalationStoreOptions.AutoInstanceId, StringComparison.OrdinalIgnoreCase))
                {
                    o.GenerateInstanceId = true;
                }
                else
                {
                    o.InstanceId = _store.InstanceId;
                }
            });
            q.UseTimeProvider(time);
            q.UseDefaultThreadPool(2);
            q.UsePersistentStore(s =>
            {
                s.UsePostgres(_store.ConnectionString!);
                s.UseSystemTextJsonSerializer();
                // Creates only what is missing (Quartz's own DDL for this release); never alters or drops.
                s.ProvisionSchema();
                s.UseClustering(c =>
                {
                    c.CheckinInterval = _store.CheckinInterval;
                    c.CheckinMisfireThreshold = _store.CheckinMisfireThreshold;
                });
            });
            q.Services.AddSingleton(this);
        });

        // Nodes starting together create the tables one after the other: the lock is the transaction's, released at its end
        // (or when the connection drops).
        await using var connection = new NpgsqlConnection(_store.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            command.Parameters.AddWithValue("key", SchemaLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var scheduler = await StartAsync(builder, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogJoined(logger, ClusterName, scheduler.SchedulerInstanceId);
        return scheduler;
    }

    public async ValueTask DisposeAsync()
    {
        if (_scheduler is { } scheduler)
        {
            await scheduler.Shutdown(waitForJobsToComplete: false, CancellationToken.None);
        }

        if (_factory is { } factory)
        {
            await factory.DisposeAsync();
        }

        _start.Dispose();
    }

    [LoggerMessage(EventId = 2401, Level = LogLevel.Error, Message = "Escalation step of alarm {AlarmId} failed; the alarm stays on the board and the step is retried at the next input or restart")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string alarmId);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Critical, Message = "Escalation step of alarm {AlarmId} fell due but no alarm service is attached")]
    private static partial void LogNoService(ILogger logger, string alarmId);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Information, Message = "Escalation scheduler {Scheduler} joined its PostgreSQL cluster as {InstanceId}")]
    private static partial void LogJoined(ILogger logger, string scheduler, string instanceId);
}

/// <summary>The Quartz job of one alarm's next escalation step.</summary>
[DisallowConcurrentExecution]
internal sealed class EscalationJob(EscalationScheduler owner) : IJob
{
    public const string AlarmKey = "alarm";
    public const string SiteKey = "site";

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        new(owner.FireAsync(
            context.MergedJobDataMap.GetString(AlarmKey)!,
            context.MergedJobDataMap.GetString(SiteKey) ?? string.Empty,
            context.ScheduledFireTimeUtc ?? context.FireTimeUtc,
            cancellationToken));
}
