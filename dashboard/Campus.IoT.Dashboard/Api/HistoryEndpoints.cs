using System.Security.Claims;
using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Rules;
using Campus.IoT.Dashboard.Auth;
using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

/// <summary>
/// Alarm history and response times (the page <c>/history.html</c>):
/// <c>GET /api/alarms/history?site=&amp;from=&amp;to=&amp;severity=&amp;rule=&amp;limit=</c>, the alarms raised in the period
/// newest first, each with its time to acknowledge and to clear; <c>GET /api/alarms/response-times?from=&amp;to=&amp;site=</c>,
/// per school and severity how fast alarms were acknowledged and cleared and how many were not acknowledged within the
/// fire escalation's first step. Both read only the schools (and rooms) the user may see.
/// </summary>
internal static class HistoryEndpoints
{
    public const int DefaultLimit = 500;
    public const int MaxLimit = 5000;
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromDays(7);
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(366);

    /// <summary>The acknowledgement target when the rules have no fire escalation step: DESIGN.md's 60 s.</summary>
    public static readonly TimeSpan DefaultAckTarget = TimeSpan.FromSeconds(60);

    public static void MapHistoryEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/alarms");

        group.MapGet("/history", (ClaimsPrincipal user, IAlarms alarms, SiteDirectory directory, TimeProvider time, string? site, string? from, string? to, string? severity, string? rule, int? limit) =>
        {
            if (!TryScope(user, time, site, from, to, out var scope, out var problem))
            {
                return problem!;
            }

            AlarmSeverity? level = null;
            if (severity is not null)
            {
                if (!AlarmNames.TryParseSeverity(severity, out var parsed))
                {
                    return Problems.BadRequest("severity", $"'{severity}' is not one of critical, major, minor, warning");
                }

                level = parsed;
            }

            if (rule is not null && !Identifier.IsValid(rule))
            {
                return Problems.BadRequest("rule", $"'{rule}' is not a rule name ([a-z0-9][a-z0-9-]{{0,62}})");
            }

            if (limit is < 1 or > MaxLimit)
            {
                return Problems.BadRequest("limit", $"limit must be 1..{MaxLimit}");
            }

            var max = limit ?? DefaultLimit;
            // One more than asked for tells whether the period holds more than the answer shows.
            var found = alarms.History(new AlarmHistoryQuery(scope.From, scope.To)
            {
                Sites = scope.Sites,
                Severity = level,
                Rule = rule,
                Visible = user.CanSeeDevice,
                Limit = max + 1,
            });
            return Results.Ok(new
            {
                from = Timestamps.Format(scope.From),
                to = Timestamps.Format(scope.To),
                more = found.Count > max,
                alarms = found.Take(max).Select(a => HistoryAlarmDto.Of(a, directory)),
            });
        });

        group.MapGet("/response-times", (ClaimsPrincipal user, IAlarms alarms, SiteDirectory directory, TimeProvider time, RulesProvider rules, string? site, string? from, string? to) =>
        {
            if (!TryScope(user, time, site, from, to, out var scope, out var problem))
            {
                return problem!;
            }

            var target = AckTarget(rules.Current);
            var rows = alarms.ResponseTimes(scope.From, scope.To, scope.Sites, user.CanSeeDevice, target);
            return Results.Ok(new
            {
                from = Timestamps.Format(scope.From),
                to = Timestamps.Format(scope.To),
                ackTargetSeconds = target.TotalSeconds,
                rows = rows.Select(r => new
                {
                    site = r.Site,
                    siteName = directory.NameOf(r.Site),
                    severity = r.Severity.ToWire(),
                    count = r.Count,
                    acknowledged = r.Acknowledged,
                    ackMedianSeconds = Seconds(r.AckMedian),
                    ackP90Seconds = Seconds(r.AckP90),
                    ackMaxSeconds = Seconds(r.AckMax),
                    cleared = r.Cleared,
                    clearMedianSeconds = Seconds(r.ClearMedian),
                    clearP90Seconds = Seconds(r.ClearP90),
                    notAckedInTime = r.NotAckedInTime,
                }),
            });
        });
    }

    /// <summary>The fire escalation's first step after the raise (who is told when the guard room has not acknowledged).</summary>
    internal static TimeSpan AckTarget(RuleSet rules) =>
        rules.Policies.TryGetValue(AlarmEngine.FireRule, out var fire) && fire.DueAfter(1) is { } after && after > TimeSpan.Zero ? after : DefaultAckTarget;

    internal static double? Seconds(TimeSpan? span) => span is { } s ? Math.Round(s.TotalSeconds, 3) : null;

    private sealed record Scope(DateTimeOffset From, DateTimeOffset To, IReadOnlyCollection<string>? Sites);

    /// <summary>
    /// The period (default: the last 7 days up to now) and the schools to read: the one asked for (403 when not the user's),
    /// else every school for a user of all, else the user's own.
    /// </summary>
    private static bool TryScope(ClaimsPrincipal user, TimeProvider time, string? site, string? from, string? to, out Scope scope, out IResult? problem)
    {
        scope = null!;
        problem = null;
        if (site is not null && !Identifier.IsValid(site))
        {
            problem = Problems.BadRequest("site", $"'{site}' is not a site identifier");
            return false;
        }

        var end = time.GetUtcNow();
        if (to is not null && !Timestamps.TryParse(to, out end))
        {
            problem = Problems.BadRequest("to", "to must be an RFC 3339 timestamp with offset, e.g. 2026-11-28T16:00:00Z");
            return false;
        }

        var start = end - DefaultPeriod;
        if (from is not null && !Timestamps.TryParse(from, out start))
        {
            problem = Problems.BadRequest("from", "from must be an RFC 3339 timestamp with offset, e.g. 2026-11-21T16:00:00Z");
            return false;
        }

        if (start >= end)
        {
            problem = Problems.BadRequest("from", "from must be before to");
            return false;
        }

        if (end - start > MaxPeriod)
        {
            problem = Problems.BadRequest("from", $"from..to may span at most {MaxPeriod.TotalDays:0} days");
            return false;
        }

        if (site is not null && !user.CanSeeSite(site))
        {
            problem = Problems.Forbidden($"you have no access to {site}");
            return false;
        }

        IReadOnlyCollection<string>? sites = site is not null ? [site] : user.SeesAllSites() ? null : user.Sites();
        scope = new Scope(start, end, sites);
        return true;
    }
}

/// <summary>
/// A past alarm as the history shows it: the alarm as the board shows it (with the school's name and the device's place),
/// and its time to acknowledge and to clear in seconds (null while not yet).
/// </summary>
internal sealed record HistoryAlarmDto : AlarmDto
{
    private HistoryAlarmDto(AlarmDto alarm, double? ackSeconds, double? clearSeconds)
        : base(alarm)
    {
        AckSeconds = ackSeconds;
        ClearSeconds = clearSeconds;
    }

    public double? AckSeconds { get; }

    public double? ClearSeconds { get; }

    public static HistoryAlarmDto Of(Alarm a, SiteDirectory? sites) => new(
        AlarmDto.From(a, sites),
        HistoryEndpoints.Seconds(ResponseTimes.ToAcknowledge(a.RaisedAt, a.AckedAt)),
        HistoryEndpoints.Seconds(ResponseTimes.ToClear(a.RaisedAt, a.ClearedAt)));
}
