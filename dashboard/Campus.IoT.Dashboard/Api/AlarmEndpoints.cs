using System.Security.Claims;
using Campus.IoT.Alerting;
using Campus.IoT.Dashboard.Auth;
using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

internal static class AlarmEndpoints
{
    public const int MaxByLength = 64;
    public const int MaxNoteLength = 1000;

    private static readonly AlarmState[] OpenStates = [AlarmState.ActiveUnack, AlarmState.ActiveAck, AlarmState.ClearedUnack];

    public static void MapAlarmEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/alarms");

        // ?state=open (default) | all | a comma list of states; ?site=; ?limit= (default 500, at most 5000)
        group.MapGet("/", (ClaimsPrincipal user, IAlarms alarms, SiteDirectory sites, string? state, string? site, int? limit) =>
        {
            if (!TryParseStates(state, out var states, out var error))
            {
                return Problems.BadRequest("state", error);
            }

            if (site is not null && !Identifier.IsValid(site))
            {
                return Problems.BadRequest("site", $"'{site}' is not a site identifier");
            }

            if (limit is < 1 or > 5000)
            {
                return Problems.BadRequest("limit", "limit must be 1..5000");
            }

            if (site is not null && !user.CanSeeSite(site))
            {
                return Problems.Forbidden($"you have no access to {site}");
            }

            // A user of one school reads that school's alarms; others see those of the sites (and rooms) they may.
            site ??= user.SeesAllSites() ? null : user.Sites() is [var only] ? only : null;
            var found = alarms.Query(states, site, limit ?? 500).Where(a => user.CanSeeDevice(a.Site, a.Device));
            // Needs a person first (unacknowledged, active or cleared), then severity, then newest: the board's order.
            return Results.Ok(found.OrderBy(a => a.State is AlarmState.ActiveUnack or AlarmState.ClearedUnack ? 0 : 1)
                .ThenBy(a => a.Severity)
                .ThenByDescending(a => a.RaisedAt)
                .Select(a => AlarmDto.From(a, sites)));
        });

        group.MapGet("/{id}", (ClaimsPrincipal user, IAlarms alarms, SiteDirectory sites, string id) =>
            Visible(user, alarms, id) ?? Results.Ok(AlarmDto.From(alarms.Find(id)!, sites)));

        group.MapGet("/{id}/audit", (ClaimsPrincipal user, IAlarms alarms, string id) =>
            Visible(user, alarms, id) ?? Results.Ok(alarms.Audit(id).Select(e => new { at = Timestamps.Format(e.At), e.Transition, e.State, e.By, e.Note })));

        // Every notification attempt made for the alarm: channel, address, attempt, outcome, error.
        group.MapGet("/{id}/deliveries", (ClaimsPrincipal user, IAlarms alarms, string id) =>
            Visible(user, alarms, id) ?? Results.Ok(alarms.Deliveries(id).Select(d => new
                {
                    at = Timestamps.Format(d.At),
                    notification = d.NotificationId,
                    d.Transition,
                    d.Level,
                    d.Recipient,
                    d.Channel,
                    d.Address,
                    d.Attempt,
                    outcome = Alerting.Notifications.DeliveryOutcomeNames.ToWire(d.Outcome),
                    d.Error,
                })));

        group.MapPost("/{id}/ack", async (ClaimsPrincipal user, IAlarms alarms, SiteDirectory sites, string id, AckRequest? request, CancellationToken cancellationToken) =>
        {
            var by = request?.By?.Trim();
            if (string.IsNullOrEmpty(by) || by.Length > MaxByLength)
            {
                return Problems.BadRequest("by", $"'by' must name who acknowledges (1-{MaxByLength} characters)");
            }

            if (Visible(user, alarms, id) is { } hidden)
            {
                return hidden;
            }

            by = Who(user, by);

            var note = string.IsNullOrWhiteSpace(request?.Note) ? null : request.Note.Trim();
            if (note?.Length > MaxNoteLength)
            {
                return Problems.BadRequest("note", $"'note' is longer than {MaxNoteLength} characters");
            }

            var outcome = await alarms.AcknowledgeAsync(id, by, note, cancellationToken);
            return outcome.Result switch
            {
                AckResult.Acknowledged => Results.Ok(AlarmDto.From(outcome.Alarm!, sites)),
                AckResult.NotFound => Problems.NotFound($"alarm {id} does not exist"),
                _ => Problems.Conflict($"alarm {id} is {outcome.Alarm!.State.ToWire()}: only active_unack or cleared_unack alarms can be acknowledged"),
            };
        });

        // POST /api/alarms/{id}/shelve {"by":…,"note":…,"minutes":…}: off the board and no escalation until then.
        group.MapPost("/{id}/shelve", async (ClaimsPrincipal user, IAlarms alarms, SiteDirectory sites, TimeProvider time, string id, ShelveRequest? request, CancellationToken cancellationToken) =>
        {
            if (!TryParseShelf(request, out var by, out var note, out var minutes, out var problem))
            {
                return problem!;
            }

            if (Visible(user, alarms, id) is { } hidden)
            {
                return hidden;
            }

            if (!user.CanManage(alarms.Find(id)!.Site))
            {
                return Problems.Forbidden("shelving is for the school's safety officer or a district admin");
            }

            by = Who(user, by);

            var outcome = await alarms.ShelveAsync(id, by, note, time.GetUtcNow().AddMinutes(minutes), cancellationToken);
            return outcome.Result switch
            {
                AckResult.Acknowledged => Results.Ok(AlarmDto.From(outcome.Alarm!, sites)),
                AckResult.NotFound => Problems.NotFound($"alarm {id} does not exist"),
                _ => Problems.Conflict($"alarm {id} is {outcome.Alarm!.State.ToWire()}: only open, unshelved alarms can be shelved"),
            };
        });
    }

    /// <summary>Null when the user may see the alarm; otherwise the answer (404 when it does not exist, 403 when not theirs).</summary>
    private static IResult? Visible(ClaimsPrincipal user, IAlarms alarms, string id) =>
        alarms.Find(id) is not { } alarm ? Problems.NotFound($"alarm {id} does not exist")
        : user.CanSeeDevice(alarm.Site, alarm.Device) ? null
        : Problems.Forbidden($"alarm {id} belongs to {alarm.Site}, which you have no access to");

    /// <summary>
    /// Who acted, for the audit trail: the name typed (a shared guard-room account is used by each shift's guard) and the
    /// account that was signed in, when they differ.
    /// </summary>
    private static string Who(ClaimsPrincipal user, string typed) =>
        user.Identity?.AuthenticationType == "anonymous" || typed == user.Username() ? typed : $"{typed} ({user.Username()})";

    private static bool TryParseShelf(ShelveRequest? request, out string by, out string note, out int minutes, out IResult? problem)
    {
        by = request?.By?.Trim() ?? string.Empty;
        note = request?.Note?.Trim() ?? string.Empty;
        minutes = request?.Minutes ?? 0;
        problem = by.Length is 0 or > MaxByLength
            ? Problems.BadRequest("by", $"'by' must name who shelves the alarm (1-{MaxByLength} characters)")
            : note.Length is 0 or > MaxNoteLength
                ? Problems.BadRequest("note", $"'note' must give the reason (1-{MaxNoteLength} characters): a shelved alarm needs one")
                : minutes is < 1 or > 24 * 60
                    ? Problems.BadRequest("minutes", "'minutes' must be 1..1440: an alarm is shelved for at most a day")
                    : null;
        return problem is null;
    }

    private static bool TryParseStates(string? text, out IReadOnlyCollection<AlarmState> states, out string error)
    {
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text) || text == "open")
        {
            states = OpenStates;
            return true;
        }

        if (text == "all")
        {
            states = [];
            return true;
        }

        var parsed = new HashSet<AlarmState>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!AlarmNames.TryParseState(part, out var s))
            {
                states = [];
                error = $"'{part}' is not open, all, or one of active_unack, active_ack, cleared_unack, cleared, shelved, suppressed";
                return false;
            }

            parsed.Add(s);
        }

        states = parsed;
        return true;
    }
}
