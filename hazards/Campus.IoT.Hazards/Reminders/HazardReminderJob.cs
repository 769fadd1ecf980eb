using Quartz;

namespace Campus.IoT.Hazards.Reminders;

/// <summary>The Quartz job of the daily reminders: one run of <see cref="HazardReminderScheduler.RunAsync"/>.</summary>
[DisallowConcurrentExecution]
internal sealed class HazardReminderJob(HazardReminderScheduler owner) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => new(owner.FireAsync(cancellationToken));
}
