using Campus.IoT.Hazards.Reminders;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Hazards.Reports.Tests.Reminders;

public sealed class HazardReminderServicesTests
{
    private static IOptions<HazardReminderOptions> Options(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddHazardReminders(configuration).BuildServiceProvider().GetRequiredService<IOptions<HazardReminderOptions>>();
    }

    [Fact]
    public void Options_bind_from_campus_hazards_reminders_with_08_00_asia_shanghai_by_default()
    {
        var defaults = Options([]).Value;
        Assert.Equal((true, new TimeOnly(8, 0), "Asia/Shanghai", "0 0 8 * * ?"), (defaults.Enabled, defaults.At, defaults.TimeZone, defaults.Cron));

        var set = Options(new() { ["Campus:Hazards:Reminders:At"] = "07:30", ["Campus:Hazards:Reminders:TimeZone"] = "Asia/Urumqi" }).Value;
        Assert.Equal((new TimeOnly(7, 30), "Asia/Urumqi", "0 30 7 * * ?"), (set.At, set.TimeZone, set.Cron));
    }

    [Fact]
    public void An_unknown_time_zone_stops_the_options_with_the_reason()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Options(new() { ["Campus:Hazards:Reminders:TimeZone"] = "Mars/Olympus" }).Value);
        Assert.Contains("Campus:Hazards:Reminders:TimeZone 'Mars/Olympus'", error.Message);
    }
}
