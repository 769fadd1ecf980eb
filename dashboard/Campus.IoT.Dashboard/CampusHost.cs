using Microsoft.AspNetCore.Builder;

namespace Campus.IoT.Dashboard;

/// <summary>Builds the single-machine platform. Tests build it the same way, on a loopback Kestrel port.</summary>
public static class CampusHost
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The host runs from its output folder whatever the working directory: settings and wwwroot are found there.
        // The data directory stays relative to the working directory (setting Campus:DataDir).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. args.Select(a => a == "--demo" ? "--Campus:Demo=true" : a)],
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        builder.AddCampusPlatform();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapCampusPlatform();
        return app;
    }
}
