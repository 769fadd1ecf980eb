using Microsoft.Extensions.Logging;

namespace Campus.IoT.Ingest.Influx;

/// <summary>The InfluxDB stores' log messages (event ids 4100–4199).</summary>
internal static partial class InfluxLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Time-series store {Kind} at {Url}, database or bucket {Database}, retention policy {RetentionPolicy}")]
    public static partial void Configured(this ILogger logger, string kind, Uri url, string database, string? retentionPolicy);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "Wrote {Readings} readings and {Events} events to {Kind} in {Elapsed}")]
    public static partial void Wrote(this ILogger logger, int readings, int events, string kind, TimeSpan elapsed);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "{Kind} history query returned {Buckets} rows in {Elapsed}: {Query}")]
    public static partial void Queried(this ILogger logger, string kind, int buckets, TimeSpan elapsed, string query);
}
