using Campus.IoT.Alerting;
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
        group.MapGet("/", (AlarmService alarms, string? state, string? site, int? limit) =>
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

            var found = alarms.Query(states, site, limit ?? 500);
            // Needs a person first (unacknowledged, active or cleared), then severity, then newest: the board's order.
            return Results.Ok(found.OrderBy(a => a.State is AlarmState.ActiveUnack or AlarmState.ClearedUnack ? 0 : 1)
                .ThenBy(a => a.Severity)
                .ThenByDescending(a => a.RaisedAt)
                .Select(AlarmDto.From));
        });

        group.MapGet("/{id}", (AlarmService alarms, string id) =>
            alarms.Find(id) is { } alarm ? Results.Ok(AlarmDto.From(alarm)) : Problems.NotFound($"alarm {id} does not exist"));

        group.MapGet("/{id}/audit", (AlarmService alarms, string id) =>
            alarms.Find(id) is null
                ? Problems.NotFound($"alarm {id} does not exist")
                : Results.Ok(alarms.Audit(id).Select(e => new { at = Timestamps.Format(e.At), e.Transition, e.State, e.By, e.Note })));

        // Every notification attempt made for the alarm: channel, address, attempt, outcome, error.
        group.MapGet("/{id}/deliveries", (AlarmService alarms, string id) =>
            alarms.Find(id) is null
                ? Problems.NotFound($"alarm {id} does not exist")
                : Results.Ok(alarms.Deliveries(id).Select(d => new
                {
                    at = Timestamps.Format(d.At),
                    notification = d.NotificationId,
                    d.Transition,
                    d.Level,
                    d.Recipient,
                    d.Channel,
                    d.Address,
                    d.Attempt,
                    outcome = Alerting.Notifications.SqliteDeliveryStore.ToWire(d.Outcome),
                    d.Error,
                })));

        group.MapPost("/{id}/ack", async (AlarmService alarms, string id, AckRequest? request, CancellationToken cancellationToken) =>
        {
            var by = request?.By?.Trim();
            if (string.IsNullOrEmpty(by) || by.Length > MaxByLength)
            {
                return Problems.BadRequest("by", $"'by' must name who acknowledges (1-{MaxByLength} characters)");
            }

            var note = string.IsNullOrWhiteSpace(request?.Note) ? null : request.Note.Trim();
            if (note?.Length > MaxNoteLength)
            {
                return Problems.BadRequest("note", $"'note' is longer than {MaxNoteLength} characters");
            }

            var outcome = await alarms.AcknowledgeAsync(id, by, note, cancellationToken);
            return outcome.Result switch
            {
                AckResult.Acknowledged => Results.Ok(AlarmDto.From(outcome.Alarm!)),
                AckResult.NotFound => Problems.NotFound($"alarm {id} does not exist"),
                _ => Problems.Conflict($"alarm {id} is {outcome.Alarm!.State.ToWire()}: only active_unack or cleared_unack alarms can be acknowledged"),
            };
        });

        // POST /api/alarms/{id}/shelve {"by":…,"note":…,"minutes":…}: off the board and no escalation until then.
        group.MapPost("/{id}/shelve", async (AlarmService alarms, TimeProvider time, string id, ShelveRequest? request, CancellationToken cancellationToken) =>
        {
            if (!TryParseShelf(request, out var by, out var note, out var minutes, out var problem))
            {
                return problem!;
            }

            var outcome = await alarms.ShelveAsync(id, by, note, time.GetUtcNow().AddMinutes(minutes), cancellationToken);
            return outcome.Result switch
            {
                AckResult.Acknowledged => Results.Ok(AlarmDto.From(outcome.Alarm!)),
                AckResult.NotFound => Problems.NotFound($"alarm {id} does not exist"),
                _ => Problems.Conflict($"alarm {id} is {outcome.Alarm!.State.ToWire()}: only open, unshelved alarms can be shelved"),
            };
        });
    }

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
