using Microsoft.Extensions.Hosting;

namespace Campus.IoT.Alerting.Escalation;

/// <summary>At start, re-arms the next escalation step of every open alarm from the store (a restart loses no step).</summary>
internal sealed class EscalationStartup(AlarmService alarms) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => alarms.RearmEscalationsAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
