using Campus.IoT.Ingest.Storage;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Ingest.Influx;

/// <summary>Builds the InfluxDB store the options name, for the host's storage wiring.</summary>
internal static class InfluxStores
{
    /// <summary>The store for <c>influxdb2</c> or <c>influxdb1</c>; throws listing every configuration error otherwise.</summary>
    public static ITimeSeriesStore Create(InfluxOptions options, ILoggerFactory loggerFactory)
    {
        if (options.IsKind(InfluxOptions.InfluxDb2))
        {
            return new InfluxV2Store(options, loggerFactory.CreateLogger<InfluxV2Store>());
        }

        if (options.IsKind(InfluxOptions.InfluxDb1))
        {
            return new InfluxV1Store(options, loggerFactory.CreateLogger<InfluxV1Store>());
        }

        throw new ArgumentException($"{InfluxOptions.Section}:Kind '{options.Kind}' is not an InfluxDB store ({InfluxOptions.InfluxDb2} or {InfluxOptions.InfluxDb1})", nameof(options));
    }
}
