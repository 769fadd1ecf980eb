using System.Globalization;
using System.Security.Claims;
using Campus.IoT.Dashboard.Auth;
using Campus.IoT.Ingest.Storage;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

internal static class ReadingEndpoints
{
    public const int MaxPoints = 10_000;
    private static readonly TimeSpan DefaultRange = TimeSpan.FromHours(1);

    public static void MapReadingEndpoints(this IEndpointRouteBuilder routes)
    {
        // GET /api/readings?device=&metric=&from=&to=&step=[&site=]
        // from/to: RFC 3339 (default: the last hour); step: 30s, 5m, 1h, 1d or seconds; without step the raw readings.
        routes.MapGet("/api/readings", async (ClaimsPrincipal user, ITimeSeriesStore store, TimeProvider time, CancellationToken cancellationToken, string? device, string? metric, string? from, string? to, string? step, string? site) =>
        {
            if (!Identifier.IsValid(device))
            {
                return Problems.BadRequest("device", "device is required: [a-z0-9][a-z0-9-]{0,62}");
            }

            if (metric is null || !Metrics.TryNormalize(metric, out var knownMetric))
            {
                return Problems.BadRequest("metric", $"metric is required, one of {string.Join(", ", Metrics.All)}");
            }

            if (site is not null && !Identifier.IsValid(site))
            {
                return Problems.BadRequest("site", $"'{site}' is not a site identifier");
            }

            // A user of some schools reads their own: the site is required unless they have one school (then it is that).
            if (!user.SeesAllSites())
            {
                site ??= user.Sites() is [var only] ? only : null;
                if (site is null)
                {
                    return Problems.BadRequest("site", "site is required (you have access to several schools)");
                }
            }

            if (site is not null && !user.CanSeeDevice(site, device))
            {
                return Problems.Forbidden($"you have no access to {device} of {site}");
            }

            var end = time.GetUtcNow();
            if (to is not null && !Timestamps.TryParse(to, out end))
            {
                return Problems.BadRequest("to", "to must be an RFC 3339 timestamp with offset");
            }

            var start = end - DefaultRange;
            if (from is not null && !Timestamps.TryParse(from, out start))
            {
                return Problems.BadRequest("from", "from must be an RFC 3339 timestamp with offset");
            }

            if (start >= end)
            {
                return Problems.BadRequest("from", "from must be before to");
            }

            TimeSpan? stepSpan = null;
            if (step is not null)
            {
                if (!TryParseStep(step, out var parsed))
                {
                    return Problems.BadRequest("step", "step must be like 30s, 5m, 1h, 1d or a number of seconds (at least 1 s)");
                }

                if ((end - start) / parsed > MaxPoints)
                {
                    return Problems.BadRequest("step", $"from..to / step gives more than {MaxPoints} points: use a larger step");
                }

                stepSpan = parsed;
            }

            var points = await store.QueryAsync(new HistoryQuery(device!, knownMetric, site, start, end, stepSpan, MaxPoints), cancellationToken);
            return Results.Ok(new
            {
                device,
                metric = knownMetric,
                unit = Metrics.UnitOf(knownMetric),
                site,
                from = Timestamps.Format(start),
                to = Timestamps.Format(end),
                step = stepSpan is { } s ? (long?)s.TotalSeconds : null,
                points = points.Select(p => new { ts = Timestamps.Format(p.Ts), mean = p.Mean, min = p.Min, max = p.Max, count = p.Count }),
            });
        });
    }

    internal static bool TryParseStep(string text, out TimeSpan step)
    {
        step = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var unit = text[^1];
        var (digits, scale) = char.IsDigit(unit)
            ? (text, 1L)
            : (text[..^1], unit switch { 's' => 1L, 'm' => 60L, 'h' => 3600L, 'd' => 86400L, _ => 0L });
        if (scale == 0 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1 || count > 366L * 86400 / scale)
        {
            return false;
        }

        step = TimeSpan.FromSeconds(count * scale);
        return true;
    }
}
