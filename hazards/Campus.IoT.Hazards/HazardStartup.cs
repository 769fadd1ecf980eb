using Microsoft.Extensions.Hosting;

namespace Campus.IoT.Hazards;

/// <summary>Migrates the registry's database at start: a database that cannot be migrated stops the host with the reason.</summary>
internal sealed class HazardStartup(HazardStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.MigrateAsync().WaitAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
