using Campus.IoT.Telemetry;

namespace Campus.IoT.Ingest;

/// <summary>Told about readings once they are durable in the store (the dashboard pushes them live).</summary>
public interface IReadingObserver
{
    Task ReadingsStoredAsync(string site, string gateway, IReadOnlyList<Reading> readings, CancellationToken cancellationToken);
}
