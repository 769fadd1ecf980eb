using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Hazards;

/// <summary>
/// Migrates the registry's database at start. A database that cannot be reached or migrated does not stop the host: fire
/// alarms never wait for the hazard registry. The failure is logged as critical (event 8014), the registry's routes answer
/// 503 until it works, and every use tries the migration again.
/// </summary>
internal sealed partial class HazardStartup(HazardStore store, ILogger<HazardStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.MigrateAsync().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnavailable(logger, ex, store.Database.Provider);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 8014, Level = LogLevel.Critical, Message = "The hazard registry's {Provider} database cannot be reached or migrated; alarms run without it, its pages answer 503 and every use tries again")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, HazardProvider provider);
}
