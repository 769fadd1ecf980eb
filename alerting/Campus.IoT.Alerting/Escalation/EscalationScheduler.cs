using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Campus.IoT.Alerting.Escalation;

/// <summary>
/// The escalation steps on Quartz.NET 4: each active, unacknowledged alarm with a policy has one one-shot trigger, at the
/// due time of its next level (<see cref="AlarmEngine.NextEscalation"/>), on the injected clock. When it fires, the alarm
/// service asks the engine to climb (which does nothing if the alarm was acknowledged meanwhile) and arms the next level.
/// Acknowledging, clearing, shelving or suppressing disarms it. The ladder's state is the level stored with each alarm, so
/// at start the triggers are rebuilt from the alarm store (<see cref="AlarmService.RearmEscalationsAsync"/>): a step that
/// fell due while the process was down fires at once (misfire: fire now), and one already taken is never taken again.
/// An in-memory job store is therefore enough on one machine; a district's clustered Quartz on PostgreSQL is issue 8.
/// </summary>
internal sealed partial class EscalationScheduler(TimeProvider time, ILogger<EscalationScheduler> logger) : IAsyncDisposable
{
    private const string Group = "escalation";
    private readonly SemaphoreSlim _start = new(1, 1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _armed = new(StringComparer.Ordinal);
    private IScheduler? _scheduler;
    private Func<string, CancellationToken, Task>? _due;

    /// <summary>The alarm service's callback for a due step (set once, by the service).</summary>
    public void Attach(Func<string, CancellationToken, Task> due) => _due = due;

    /// <summary>Alarms with a trigger armed, and when it is due (for tests and the health page).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Armed => _armed;

    /// <summary>Arms (or moves) the alarm's trigger to <paramref name="due"/>; nothing when it is already armed for that time.</summary>
    public async Task ArmAsync(string alarmId, DateTimeOffset due, CancellationToken cancellationToken)
    {
        if (_armed.TryGetValue(alarmId, out var armed) && armed == due)
        {
            return;
        }

        var scheduler = await SchedulerAsync(cancellationToken);
        var job = JobBuilder.Create<EscalationJob>().WithIdentity(alarmId, Group).UsingJobData(EscalationJob.AlarmKey, alarmId).Build();
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
        if (_armed.TryRemove(alarmId, out _))
        {
            var scheduler = await SchedulerAsync(cancellationToken);
            await scheduler.DeleteJob(new JobKey(alarmId, Group), cancellationToken);
        }
    }

    /// <summary>Called by <see cref="EscalationJob"/> when an alarm's trigger fires.</summary>
    internal async Task FireAsync(string alarmId, DateTimeOffset scheduled, CancellationToken cancellationToken)
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
            await _due(alarmId, cancellationToken);
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
            if (_scheduler is null)
            {
                var builder = QuartzSchedulerBuilder.Create(q =>
                {
                    q.UseTimeProvider(time);
                    q.UseInMemoryStore();
                    q.UseDefaultThreadPool(2);
                    q.Services.AddSingleton(this);
                });
                // Several hosts can share a process (tests): each scheduler needs its own name.
                builder.UseProperties([new KeyValuePair<string, string?>("quartz.scheduler.instanceName", $"campus-escalation-{Guid.NewGuid():N}")]);
                var scheduler = await builder.BuildScheduler(cancellationToken);
                await scheduler.Start(cancellationToken);
                _scheduler = scheduler;
            }

            return _scheduler;
        }
        finally
        {
            _start.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_scheduler is { } scheduler)
        {
            await scheduler.Shutdown(waitForJobsToComplete: false, CancellationToken.None);
        }

        _start.Dispose();
    }

    [LoggerMessage(EventId = 2401, Level = LogLevel.Error, Message = "Escalation step of alarm {AlarmId} failed; the alarm stays on the board and the step is retried at the next input or restart")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string alarmId);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Critical, Message = "Escalation step of alarm {AlarmId} fell due but no alarm service is attached")]
    private static partial void LogNoService(ILogger logger, string alarmId);
}

/// <summary>The Quartz job of one alarm's next escalation step.</summary>
[DisallowConcurrentExecution]
internal sealed class EscalationJob(EscalationScheduler owner) : IJob
{
    public const string AlarmKey = "alarm";

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        new(owner.FireAsync(context.MergedJobDataMap.GetString(AlarmKey)!, context.ScheduledFireTimeUtc ?? context.FireTimeUtc, cancellationToken));
}
