using System.Security.Claims;
using Campus.IoT.Dashboard.Auth;
using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

/// <summary>
/// The sensor-health view's routes (docs/dashboards.md#sensor-health): every school the user may see with its counts, one
/// school's devices and gateways with their status, and the device directory of one school.
/// </summary>
internal static class DeviceEndpoints
{
    public static void MapDeviceEndpoints(this IEndpointRouteBuilder routes)
    {
        // GET /api/sites: every school the user may see (a district admin: every school heard of; others: their schools,
        // heard of or not), each with sensor and gateway counts, seq gaps, last heard, lowest battery and weakest signal.
        routes.MapGet("/api/sites", (ClaimsPrincipal user, SensorHealthModel health, SiteDirectory directory) =>
        {
            var pass = health.Begin();
            var sites = user.SeesAllSites()
                ? health.Directory.Sites()
                : user.Sites().Where(Identifier.IsValid).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var list = new List<SiteHealthDto>(sites.Count);
            foreach (var site in sites)
            {
                if (user.CanSeeSite(site))
                {
                    list.Add(SiteHealthDto.From(pass.Summarize(site, VisibleDevices(user, site)), directory));
                }
            }

            return Results.Ok(new SitesDto(Timestamps.Format(pass.Now), pass.Options.LowBatteryPercent, pass.Options.WeakSignalDbm, list));
        });

        // GET /api/health/sensors?site=&status=: one school's devices (status, reasons, battery, signal, last heard,
        // gateway, building) and gateways (status, version, spool, seq record); status= a comma list to keep only those.
        routes.MapGet("/api/health/sensors", (ClaimsPrincipal user, SensorHealthModel health, SiteDirectory directory, string? site, string? status) =>
        {
            if (SiteOf(user, site, out var chosen) is { } problem)
            {
                return problem;
            }

            var keep = new HashSet<SensorStatus>();
            foreach (var part in (status ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!HealthNames.TryParseStatus(part, out var s))
                {
                    return Problems.BadRequest("status", $"'{part}' is not one of online, stale, faulty, offline");
                }

                keep.Add(s);
            }

            var pass = health.Begin();
            var detail = pass.Detail(chosen, VisibleDevices(user, chosen));
            var devices = keep.Count == 0 ? detail.Devices : detail.Devices.Where(d => keep.Contains(d.Status));
            return Results.Ok(new SensorHealthDto(
                Timestamps.Format(pass.Now),
                SiteHealthDto.From(detail.Summary, directory),
                [.. detail.Gateways.Select(GatewayHealthDto.From)],
                [.. devices.Select(DeviceHealthDto.From)]));
        });

        // GET /api/devices?site=: the device directory of one school: building, gateway, first and last heard, last value per metric.
        routes.MapGet("/api/devices", (ClaimsPrincipal user, SensorHealthModel health, string? site) =>
        {
            if (SiteOf(user, site, out var chosen) is { } problem)
            {
                return problem;
            }

            var pass = health.Begin();
            var devices = health.Directory.Devices(chosen)
                .Where(d => user.CanSeeDevice(chosen, d.Device))
                .Select(d => DeviceDto.From(d, pass.BuildingOf(chosen, d.Device)))
                .ToList();
            return Results.Ok(new DevicesDto(Timestamps.Format(pass.Now), chosen, devices));
        });
    }

    /// <summary>
    /// The school a per-school route is about: <c>site</c>, or the user's only school when they have one. Null when the
    /// user may read it; otherwise the problem (400 missing or malformed, 403 not theirs).
    /// </summary>
    private static IResult? SiteOf(ClaimsPrincipal user, string? site, out string chosen)
    {
        chosen = string.Empty;
        if (site is null && !user.SeesAllSites() && user.Sites() is [var only])
        {
            site = only;
        }

        if (site is null)
        {
            return Problems.BadRequest("site", "site is required (you have access to several schools)");
        }

        if (!Identifier.IsValid(site))
        {
            return Problems.BadRequest("site", $"'{site}' is not a site identifier");
        }

        if (!user.CanSeeSite(site))
        {
            return Problems.Forbidden($"you have no access to {site}");
        }

        chosen = site;
        return null;
    }

    /// <summary>Null (every device) unless the user sees only some rooms of the school.</summary>
    private static Func<string, bool>? VisibleDevices(ClaimsPrincipal user, string site) =>
        user.Role() is Roles.LabManager or Roles.CanteenManager ? device => user.CanSeeDevice(site, device) : null;
}
