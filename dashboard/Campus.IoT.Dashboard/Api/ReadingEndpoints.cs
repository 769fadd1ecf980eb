using System.Security.Claims;
using Campus.IoT.Ingest.Storage;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

internal static class ReadingEndpoints
{
    public const int MaxPoints = 10_000;

    public static void MapReadingEndpoints(this IEndpointRouteBuilder routes)
    {
        // GET /api/readings?device=&metric=&from=&to=&step=[&site=]
        // from/to: RFC 3339 (default: the last hour); step: 30s, 5m, 1h, 1d or seconds; without step the raw readings.
        routes.MapGet("/api/readings", async (ClaimsPrincipal user, ITimeSeriesStore store, TimeProvider time, CancellationToken cancellationToken, string? device, string? metric, string? from, string? to, string? step, string? site) =>
        {
            if (!HistoryRequest.TryParse(user, time.GetUtcNow(), MaxPoints, device, metric, from, to, step, site, out var query, out var problem))
            {
                return problem;
            }

            var points = await store.QueryAsync(query, cancellationToken);
            return Results.Ok(new
            {
                device = query.Device,
                metric = query.Metric,
                unit = Metrics.UnitOf(query.Metric),
                site = query.Site,
                from = Timestamps.Format(query.From),
                to = Timestamps.Format(query.To),
                step = query.Step is { } s ? (long?)s.TotalSeconds : null,
                points = points.Select(p => new { ts = Timestamps.Format(p.Ts), mean = p.Mean, min = p.Min, max = p.Max, count = p.Count }),
            });
        });
    }
}
