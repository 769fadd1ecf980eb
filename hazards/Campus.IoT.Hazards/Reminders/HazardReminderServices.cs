using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Hazards.Reminders;

/// <summary>The daily hazard reminders' wiring.</summary>
public static class HazardReminderServices
{
    /// <summary>
    /// Registers the reminder scheduler as a hosted service with its options (section <c>Campus:Hazards:Reminders</c>,
    /// validated at start). Needs from the host: an <c>IHazardSource</c> (the hazard store), the alerting
    /// <c>NotificationDispatcher</c> with its channels and <c>Campus:Notify</c> recipients, and a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddHazardReminders(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<HazardReminderOptions>().Bind(configuration.GetSection(HazardReminderOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HazardReminderOptions>, HazardReminderOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<HazardReminderOptions>>().Value);
        services.TryAddSingleton<HazardReminderScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<HazardReminderScheduler>());
        return services;
    }
}
