using Campus.IoT.Alerting;
using Campus.IoT.Hazards.Attachments;
using Campus.IoT.Hazards.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Hazards;

/// <summary>Registers the hazard registry: options (validated at start), store, attachments, the alarm feed and the start-up migration.</summary>
public static class HazardServices
{
    /// <param name="dataDirectory">The platform's data directory (default home of <c>hazards.db</c> and the attachments).</param>
    /// <param name="zone">The school's time zone (what "today" is for overdue).</param>
    public static IServiceCollection AddCampusHazards(this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, string> dataDirectory, Func<IServiceProvider, TimeZoneInfo> zone)
    {
        services.AddOptions<HazardOptions>().Bind(configuration.GetSection(HazardOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HazardOptions>, HazardOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<HazardOptions>>().Value;
            options.TryGetProvider(out var provider);
            return provider == HazardProvider.Postgres
                ? HazardDatabase.Postgres(options.ConnectionString!)
                : HazardDatabase.Sqlite(string.IsNullOrWhiteSpace(options.ConnectionString) ? Path.Combine(dataDirectory(sp), "hazards.db") : options.ConnectionString);
        });
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<HazardOptions>>().Value;
            return new AttachmentStore(options.AttachmentDir ?? Path.Combine(dataDirectory(sp), "hazard-attachments"), options.MaxAttachmentBytes);
        });
        services.TryAddSingleton(sp => new HazardStore(
            sp.GetRequiredService<HazardDatabase>(),
            sp.GetRequiredService<AttachmentStore>(),
            sp.GetRequiredService<TimeProvider>(),
            zone(sp),
            sp.GetRequiredService<ILogger<HazardStore>>()));
        services.TryAddSingleton(sp => new HazardAlarmFeed(
            sp.GetRequiredService<HazardStore>(),
            sp.GetRequiredService<IOptions<HazardOptions>>().Value.AlarmRepeat,
            sp.GetRequiredService<ILogger<HazardAlarmFeed>>()));
        services.AddSingleton<IHazardFeed>(sp => sp.GetRequiredService<HazardAlarmFeed>());
        services.AddHostedService<HazardStartup>();
        return services;
    }
}
