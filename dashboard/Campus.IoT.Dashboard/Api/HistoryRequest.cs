using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Claims;
using Campus.IoT.Dashboard.Auth;
using Campus.IoT.Ingest.Storage;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

/// <summary>
/// The query string of a history read (<c>GET /api/readings</c> and its CSV export): device, metric, site, from/to, step,
/// checked and turned into a <see cref="HistoryQuery"/> the user may run, or the problem to answer.
/// </summary>
internal static class HistoryRequest
{
    private static readonly TimeSpan DefaultRange = TimeSpan.FromHours(1);

    /// <summary>
    /// from/to: RFC 3339 with offset (default: the hour before now); step: 30s, 5m, 1h, 1d or seconds, at most
    /// <paramref name="maxPoints"/> steps in the range (without a step the raw readings). The site is required for a user of
    /// several (but not all) schools, is their school for a user of one; the device must be one the user may see.
    /// The query's limit is <paramref name="maxPoints"/>.
    /// </summary>
    public static bool TryParse(
        ClaimsPrincipal user,
        DateTimeOffset now,
        int maxPoints,
        string? device,
        string? metric,
        string? from,
        string? to,
        string? step,
        string? site,
        [NotNullWhen(true)] out HistoryQuery? query,
        [NotNullWhen(false)] out IResult? problem)
    {
        query = null;
        problem = Check(user, now, maxPoints, device, metric, from, to, step, ref site, out var knownMetric, out var start, out var end, out var stepSpan);
        if (problem is not null)
        {
            return false;
        }

        query = new HistoryQuery(device!, knownMetric, site, start, end, stepSpan, maxPoints);
        return true;
    }

    private static IResult? Check(
        ClaimsPrincipal user,
        DateTimeOffset now,
        int maxPoints,
        string? device,
        string? metric,
        string? from,
        string? to,
        string? step,
        ref string? site,
        out string knownMetric,
        out DateTimeOffset start,
        out DateTimeOffset end,
        out TimeSpan? stepSpan)
    {
        knownMetric = string.Empty;
        start = end = now;
        stepSpan = null;
        if (!Identifier.IsValid(device))
        {
            return Problems.BadRequest("device", "device is required: [a-z0-9][a-z0-9-]{0,62}");
        }

        if (metric is null || !Metrics.TryNormalize(metric, out knownMetric))
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

        if (to is not null && !Timestamps.TryParse(to, out end))
        {
            return Problems.BadRequest("to", "to must be an RFC 3339 timestamp with offset");
        }

        start = end - DefaultRange;
        if (from is not null && !Timestamps.TryParse(from, out start))
        {
            return Problems.BadRequest("from", "from must be an RFC 3339 timestamp with offset");
        }

        if (start >= end)
        {
            return Problems.BadRequest("from", "from must be before to");
        }

        if (step is not null)
        {
            if (!TryParseStep(step, out var parsed))
            {
                return Problems.BadRequest("step", "step must be like 30s, 5m, 1h, 1d or a number of seconds (at least 1 s)");
            }

            if ((end - start) / parsed > maxPoints)
            {
                return Problems.BadRequest("step", $"from..to / step gives more than {maxPoints} points: use a larger step");
            }

            stepSpan = parsed;
        }

        return null;
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
