using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Alerting.Escalation;

/// <summary>
/// At start, starts the escalation scheduler (clustered, a node with no alarm of its own still fires its share of the
/// cluster's steps) and re-arms the next escalation step of every open alarm from the store (a restart loses no step).
/// A scheduler that cannot start (its database down) does not stop the platform: alarms are still raised and shown, and
/// the next step armed tries the start again.
/// </summary>
internal sealed partial class EscalationStartup(AlarmService alarms, EscalationScheduler escalations, ILogger<EscalationStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await escalations.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStartFailed(logger, ex);
        }

        await alarms.RearmEscalationsAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 2405, Level = LogLevel.Critical, Message = "The escalation scheduler did not start; alarms are raised and shown, escalation steps wait until it starts")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);
}
