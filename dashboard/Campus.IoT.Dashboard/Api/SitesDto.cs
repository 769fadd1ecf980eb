namespace Campus.IoT.Dashboard.Api;

/// <summary>
/// GET /api/sites: the server's clock (for "3 minutes ago"), the thresholds below which a battery is low and a signal weak
/// (so a page marks them as the server does), and every school the user may see.
/// </summary>
internal sealed record SitesDto(string Now, double LowBatteryPercent, double WeakSignalDbm, IReadOnlyList<SiteHealthDto> Sites);
