namespace Campus.IoT.Ingest.Storage;

/// <summary>
/// A time-series store the ingest writer drains batches into and the dashboards read history from: the embedded SQLite
/// store, InfluxDB 2.x/3.x (<c>/api/v2/write</c>) or InfluxDB 1.x (<c>/write</c>). Reads are InfluxQL over <c>/query</c> for
/// every InfluxDB version.
/// </summary>
internal interface ITimeSeriesStore
{
    /// <summary>Short name for logs, metrics and health: <c>sqlite</c>, <c>influxdb2</c>, <c>influxdb1</c>.</summary>
    string Kind { get; }

    /// <summary>
    /// Writes the batches. When the task completes they are durable in the store; when it throws, nothing may be assumed
    /// written and the caller writes the same batches again. Writes are idempotent: a batch written twice stores each reading
    /// once (SQLite by its unique key, InfluxDB because a point with the same series and time replaces the earlier one).
    /// </summary>
    Task<StoreWriteResult> WriteAsync(IReadOnlyList<IngestBatch> batches, CancellationToken cancellationToken);

    /// <summary>History of one device's metric in [From, To): per-step mean/min/max/count, or raw readings when Step is null.</summary>
    Task<IReadOnlyList<ReadingBucket>> QueryAsync(HistoryQuery query, CancellationToken cancellationToken);
}

/// <summary>What a write stored: readings and device events (for SQLite, the rows actually inserted, duplicates excluded).</summary>
internal readonly record struct StoreWriteResult(int Readings, int Events);

/// <summary>A history request, validated by the API before it reaches a store.</summary>
public sealed record HistoryQuery(string Device, string Metric, string? Site, DateTimeOffset From, DateTimeOffset To, TimeSpan? Step, int Limit);
