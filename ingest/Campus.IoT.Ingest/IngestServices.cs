using Campus.IoT.Ingest.Influx;
using Campus.IoT.Ingest.Spill;
using Campus.IoT.Ingest.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Ingest;

/// <summary>The ingest pipeline's wiring, shared by the single-machine platform and the stand-alone ingest host.</summary>
public static class IngestServices
{
    /// <summary>
    /// Registers the consumer, queue, writer, store (section <c>Campus:Storage</c>, SQLite by default), disk spill and dead-letter
    /// store. Needs a <c>MqttClientSettings</c>, a <c>PayloadDecoder</c> and a <see cref="TimeProvider"/> registered by the host.
    /// </summary>
    /// <param name="dataDirectory">Where <c>readings.db</c> (embedded store) and <c>ingest.db</c> (spill, dead letters) live.</param>
    public static IServiceCollection AddCampusIngest(this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, string> dataDirectory)
    {
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton(sp => new IngestQueue(sp.GetRequiredService<IOptions<IngestOptions>>().Value.QueueCapacity));
        services.AddSingleton<SeqTracker>();
        services.AddSingleton(sp => new DeadLetterStore(Path.Combine(dataDirectory(sp), "ingest.db"), sp.GetRequiredService<IOptions<IngestOptions>>().Value.DeadLetterCapacity));
        services.AddSingleton(sp => new SpillBuffer(Path.Combine(dataDirectory(sp), "ingest.db")));

        services.AddOptions<InfluxOptions>().Bind(configuration.GetSection(InfluxOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<InfluxOptions>, StorageOptionsValidator>();
        var storage = new InfluxOptions();
        configuration.GetSection(InfluxOptions.Section).Bind(storage);
        if (storage.IsInflux)
        {
            // InfluxDB keeps its own retention (the bucket's or the retention policy's) and downsampling.
            services.AddSingleton(sp => InfluxStores.Create(sp.GetRequiredService<IOptions<InfluxOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        }
        else
        {
            services.AddSingleton(sp => new SqliteReadingStore(Path.Combine(dataDirectory(sp), "readings.db")));
            services.AddSingleton<ITimeSeriesStore>(sp => sp.GetRequiredService<SqliteReadingStore>());
            services.AddHostedService<SqliteRetentionService>();
        }

        // Hosted services stop in reverse order: the consumer (registered last) stops first and completes the queue, then the
        // writer drains it.
        services.AddSingleton<IngestWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestWriter>());
        services.AddSingleton<IngestConsumer>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestConsumer>());
        return services;
    }

    private sealed class StorageOptionsValidator : IValidateOptions<InfluxOptions>
    {
        public ValidateOptionsResult Validate(string? name, InfluxOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }

    private sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
    {
        public ValidateOptionsResult Validate(string? name, IngestOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
