using Microsoft.Extensions.Options;

namespace Campus.IoT.Dashboard.Tests;

public sealed class HazardConfigurationTests
{
    [Fact]
    public async Task Bad_hazard_settings_stop_the_host_at_start_with_every_error_listed()
    {
        await using var app = CampusHost.Create([
            "--urls", "http://127.0.0.1:0",
            "--Campus:DataDir=" + Path.GetTempPath(),
            "--Campus:Hazards:Provider=postgres",
            "--Campus:Hazards:MaxAttachmentBytes=10",
            "--Campus:Hazards:AlarmRepeat:Count=1",
            "--Campus:Hazards:AlarmRepeat:Days=0",
        ]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal(
            [
                "Campus:Hazards:ConnectionString must be set when Campus:Hazards:Provider is postgres",
                "Campus:Hazards:MaxAttachmentBytes 10 must be between 1024 and 1073741824",
                "Campus:Hazards:AlarmRepeat:Count 1 must be between 2 and 1000",
                "Campus:Hazards:AlarmRepeat:Days 0 must be between 1 and 366",
            ],
            error.Failures);
    }

    [Fact]
    public async Task An_unknown_provider_is_refused_at_start()
    {
        await using var app = CampusHost.Create([
            "--urls", "http://127.0.0.1:0",
            "--Campus:DataDir=" + Path.GetTempPath(),
            "--Campus:Hazards:Provider=mysql",
        ]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Campus:Hazards:Provider 'mysql' must be sqlite or postgres", error.Failures);
    }
}
