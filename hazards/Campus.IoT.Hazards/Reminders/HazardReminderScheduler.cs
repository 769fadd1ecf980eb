using Campus.IoT.Alerting.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Campus.IoT.Hazards.Reminders;

/// <summary>
/// The daily hazard reminders on Quartz.NET 4: one cron trigger at <see cref="HazardReminderOptions.At"/> in the school's
/// time zone, on the injected clock. Each run loads the open hazards (<see cref="IHazardSource"/>), composes a digest per
/// responsible person and school (<see cref="ReminderDigest"/>) and sends each through the notification dispatcher to the
/// recipient of that name, resolved through <c>Campus:Notify</c> as alarm recipients are. A run missed while the process
/// was down is not caught up (in-memory store): the next morning's run covers it, as overdue items stay overdue.
/// </summary>
internal sealed partial class HazardReminderScheduler(
    IHazardSource source,
    NotificationDispatcher dispatcher,
    HazardReminderOptions options,
    TimeProvider time,
    ILogger<HazardReminderScheduler> logger) : IHostedService, IAsyncDisposable
{
    private const string Group = "hazard-reminders";
    private static readonly JobKey Job = new("daily", Group);
    private IScheduler? _scheduler;

    /// <summary>When the next run is due (null before start, or when disabled).</summary>
    public async Task<DateTimeOffset?> NextRunAsync(CancellationToken cancellationToken) =>
        _scheduler is { } s && await s.GetTrigger(new TriggerKey("daily", Group), cancellationToken) is { } trigger ? trigger.NextFireTimeUtc : null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Enabled)
        {
            LogDisabled(logger);
            return;
        }

        var zone = options.Zone();
        var builder = QuartzSchedulerBuilder.Create(q =>
        {
            q.UseTimeProvider(time);
            q.UseInMemoryStore();
            q.UseDefaultThreadPool(1);
            q.Services.AddSingleton(this);
        });
        // Several hosts can share a process (tests): each scheduler needs its own name.
        builder.UseProperties([new KeyValuePair<string, string?>("quartz.scheduler.instanceName", $"campus-hazard-reminders-{Guid.NewGuid():N}")]);
        var scheduler = await builder.BuildScheduler(cancellationToken);
        var job = JobBuilder.Create<HazardReminderJob>().WithIdentity(Job).Build();
        var trigger = TriggerBuilder.Create(time)
            .WithIdentity("daily", Group)
            .WithCronSchedule(options.Cron, c => c.InTimeZone(zone).WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing))
            .Build();
        await scheduler.ScheduleJob(job, trigger, new ScheduleJobOptions(), cancellationToken);
        await scheduler.Start(cancellationToken);
        _scheduler = scheduler;
        var at = options.At.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var next = await NextRunAsync(cancellationToken);
        LogScheduled(logger, at, zone.Id, next);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is { } scheduler)
        {
            _scheduler = null;
            await scheduler.Shutdown(waitForJobsToComplete: false, cancellationToken);
        }
    }

    /// <summary>One run: load, compose, send; every digest's outcome logged. Also what the job calls.</summary>
    public async Task<HazardReminderRun> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var hazards = await source.OpenHazardsAsync(cancellationToken);
        var digests = ReminderDigest.Compose(hazards, options.Zone(), now);
        var sent = await Task.WhenAll(digests.Select(async d => (Digest: d, Deliveries: await dispatcher.SendAsync(d.ToMessage(now), cancellationToken))));
        foreach (var (digest, deliveries) in sent)
        {
            var delivered = deliveries.Count(d => d.Outcome == DeliveryOutcome.Sent);
            if (delivered == 0)
            {
                LogNotDelivered(logger, digest.Person, digest.Site, digest.Overdue.Count, digest.DueSoon.Count);
            }
        }

        var reached = sent.Count(s => s.Deliveries.Any(d => d.Outcome == DeliveryOutcome.Sent));
        LogRun(logger, digests.Count, reached);
        return new HazardReminderRun(now, [.. sent.Select(s => (s.Digest, s.Deliveries))]);
    }

    /// <summary>Called by <see cref="HazardReminderJob"/>: a failed run is logged and the next day's run goes ahead.</summary>
    internal async Task FireAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRunFailed(logger, ex);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Hazard reminders daily at {At} {Zone}; next run {Next}")]
    private static partial void LogScheduled(ILogger logger, string at, string zone, DateTimeOffset? next);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Hazard reminders: {Digests} digests composed, {Delivered} delivered on at least one route")]
    private static partial void LogRun(ILogger logger, int digests, int delivered);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "Hazard reminder for {Person} at {Site} ({Overdue} overdue, {DueSoon} due soon) reached nobody")]
    private static partial void LogNotDelivered(ILogger logger, string person, string site, int overdue, int dueSoon);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Error, Message = "Hazard reminder run failed; the next run is tomorrow")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Information, Message = "Hazard reminders are disabled (Campus:Hazards:Reminders:Enabled)")]
    private static partial void LogDisabled(ILogger logger);
}
