using System.Globalization;
using System.Security.Claims;
using Campus.IoT.Dashboard.Auth;
using Campus.IoT.Hazards;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

/// <summary>
/// The hazard registry (docs/hazards.md): list with filters, detail, register, edit at a version, move through the closed
/// loop, attach and download files. Who may do what: everyone reads the hazards of the sites they belong to; guards, lab
/// and canteen managers may report (create with source <c>report</c>); safety officers of the site and district admins
/// manage (create with any source, edit, transition, attach). Every refusal is a problem+json and changes nothing.
/// </summary>
internal static class HazardEndpoints
{
    private const int MaxLimit = 1000;

    public static void MapHazardEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/hazards");

        group.MapGet("/", async (ClaimsPrincipal user, HazardStore store, HttpRequest request, CancellationToken cancellationToken) =>
        {
            var q = request.Query;
            var parsed = ParseFilter(q);
            if (parsed.Problem is { } problem)
            {
                return problem;
            }

            var filter = parsed.Filter!;
            if (filter.Site is { } site && !user.CanSeeSite(site))
            {
                return Problems.Forbidden($"you have no access to {site}");
            }

            if (!user.SeesAllSites())
            {
                filter = filter with { Sites = [.. user.Sites()] };
            }

            var today = store.Today();
            var found = await store.ListAsync(filter, cancellationToken);
            return Results.Ok(found.Select(h => HazardDto.Of(h, today)));
        });

        group.MapGet("/{id:long}", async (ClaimsPrincipal user, HazardStore store, long id, CancellationToken cancellationToken) =>
        {
            var hazard = await store.FindAsync(id, cancellationToken);
            if (hazard is null)
            {
                return Problems.NotFound($"no hazard {id}");
            }

            return user.CanSeeSite(hazard.Site) ? Results.Ok(HazardDto.Detail(hazard, store.Today())) : Problems.Forbidden($"you have no access to {hazard.Site}");
        });

        group.MapPost("/", async (ClaimsPrincipal user, HazardStore store, HazardCreateRequest? body, CancellationToken cancellationToken) =>
        {
            var parsed = ParseDraft(body, user);
            if (parsed.Problem is { } problem)
            {
                return problem;
            }

            var draft = parsed.Draft!;
            if (!user.CanSeeSite(draft.Site))
            {
                return Problems.Forbidden($"you have no access to {draft.Site}");
            }

            if (!user.CanManage(draft.Site) && draft.Source != HazardSource.Report)
            {
                return Problems.Forbidden($"you may report hazards of {draft.Site} (source report); registering from an inspection or an alarm is for its safety officer");
            }

            var outcome = await store.CreateAsync(draft, user.Username(), cancellationToken);
            return outcome.Kind == HazardOutcomeKind.Ok
                ? Results.Created($"/api/hazards/{outcome.Hazard!.Id}", HazardDto.Of(outcome.Hazard, store.Today()))
                : Answer(outcome, store);
        });

        group.MapMethods("/{id:long}", [HttpMethods.Patch, HttpMethods.Put], async (ClaimsPrincipal user, HazardStore store, long id, HazardUpdateRequest? body, CancellationToken cancellationToken) =>
        {
            if (body?.Version is not { } version)
            {
                return Problems.BadRequest("version", "'version' must be the hazard's version as read (optimistic concurrency)");
            }

            if (ParsePatch(body) is { Problem: { } problem })
            {
                return problem;
            }

            var patch = ParsePatch(body).Patch!;
            return await ManagedAsync(user, store, id, () => store.UpdateAsync(id, version, patch, user.Username(), Clean(body.Note), cancellationToken), cancellationToken);
        });

        group.MapPost("/{id:long}/transition", async (ClaimsPrincipal user, HazardStore store, long id, HazardTransitionBody? body, CancellationToken cancellationToken) =>
        {
            if (!HazardNames.TryParse(body?.Action, out HazardAction action))
            {
                return Problems.BadRequest("action", "'action' must be start, submit, verify or reject");
            }

            if (body!.Note is { Length: > 2000 } || body.Reinspector is { Length: > HazardStore.MaxName })
            {
                return Problems.BadRequest("note", $"'note' is at most 2000 characters, 'reinspector' at most {HazardStore.MaxName}");
            }

            var transition = new HazardTransitionRequest(action, body.Note, body.Reinspector, body.Version);
            return await ManagedAsync(user, store, id, () => store.TransitionAsync(id, transition, user.Username(), cancellationToken), cancellationToken);
        });

        group.MapPost("/{id:long}/attachments", async (ClaimsPrincipal user, HazardStore store, HttpRequest request, long id, CancellationToken cancellationToken) =>
        {
            if (!request.HasFormContentType)
            {
                return Problems.BadRequest("file", "send the file as multipart/form-data in a part named 'file'");
            }

            if (request.ContentLength is { } length && length > store.Files.MaxBytes + (1024 * 1024))
            {
                return Results.Problem(title: "Too large", detail: $"attachments are at most {store.Files.MaxBytes} bytes", statusCode: StatusCodes.Status413PayloadTooLarge);
            }

            var hazard = await store.FindAsync(id, cancellationToken);
            if (hazard is null)
            {
                return Problems.NotFound($"no hazard {id}");
            }

            if (!user.CanManage(hazard.Site) && !IsOwnFreshReport(user, hazard))
            {
                return Problems.Forbidden($"attachments of hazards of {hazard.Site} are added by its safety officer or a district admin (or by the reporter while the report is still registered)");
            }

            var form = await request.ReadFormAsync(cancellationToken);
            if (form.Files.GetFile("file") is not { } file)
            {
                return Problems.BadRequest("file", "send the file as multipart/form-data in a part named 'file'");
            }

            await using var content = file.OpenReadStream();
            var (outcome, attachment) = await store.AttachAsync(id, file.FileName, content, user.Username(), cancellationToken);
            if (outcome.Kind != HazardOutcomeKind.Ok)
            {
                return outcome.Kind == HazardOutcomeKind.Invalid ? Problems.BadRequest("file", outcome.Reason!) : Answer(outcome, store);
            }

            return Results.Created(
                $"/api/hazards/{id}/attachments/{attachment!.Id}",
                new HazardAttachmentDto(attachment.Id, attachment.FileName, attachment.ContentType, attachment.Size, attachment.Sha256, Timestamps.Format(attachment.UploadedAt), attachment.UploadedBy, $"/api/hazards/{id}/attachments/{attachment.Id}"));
        });

        group.MapGet("/{id:long}/attachments/{attachmentId:long}", async (ClaimsPrincipal user, HazardStore store, HttpResponse response, long id, long attachmentId, CancellationToken cancellationToken) =>
        {
            var hazard = await store.FindAsync(id, cancellationToken);
            if (hazard is null)
            {
                return Problems.NotFound($"no hazard {id}");
            }

            if (!user.CanSeeSite(hazard.Site))
            {
                return Problems.Forbidden($"you have no access to {hazard.Site}");
            }

            if (hazard.Attachments.FirstOrDefault(a => a.Id == attachmentId) is not { } attachment || store.Files.Open(attachment.Sha256) is not { } stream)
            {
                return Problems.NotFound($"hazard {id} has no attachment {attachmentId}");
            }

            response.Headers.XContentTypeOptions = "nosniff";
            return Results.File(stream, attachment.ContentType, attachment.FileName);
        });
    }

    /// <summary>Runs a change on a hazard the user manages: 404 when missing, 403 when not theirs to manage.</summary>
    private static async Task<IResult> ManagedAsync(ClaimsPrincipal user, HazardStore store, long id, Func<Task<HazardOutcome>> change, CancellationToken cancellationToken)
    {
        var hazard = await store.FindAsync(id, cancellationToken);
        if (hazard is null)
        {
            return Problems.NotFound($"no hazard {id}");
        }

        if (!user.CanManage(hazard.Site))
        {
            return Problems.Forbidden($"hazards of {hazard.Site} are managed by its safety officer or a district admin");
        }

        return Answer(await change(), store);
    }

    /// <summary>
    /// A reporter (guard, lab or canteen manager) may add photos to the report they made themselves while it is still
    /// <c>registered</c>: the report form sends the photo right after creating the hazard.
    /// </summary>
    private static bool IsOwnFreshReport(ClaimsPrincipal user, Hazard hazard) =>
        user.CanSeeSite(hazard.Site)
        && hazard.Source == HazardSource.Report
        && hazard.Status == HazardStatus.Registered
        && hazard.Audit.Any(a => a.Action == "create" && string.Equals(a.By, user.Username(), StringComparison.Ordinal));

    private static IResult Answer(HazardOutcome outcome, HazardStore store) => outcome.Kind switch
    {
        HazardOutcomeKind.Ok => Results.Ok(HazardDto.Of(outcome.Hazard!, store.Today())),
        HazardOutcomeKind.NotFound => Problems.NotFound(outcome.Reason!),
        HazardOutcomeKind.Invalid => Problems.BadRequest("body", outcome.Reason!),
        _ => Problems.Conflict(outcome.Reason!),
    };

    private sealed record ParsedFilter(HazardFilter? Filter, IResult? Problem);

    private static ParsedFilter ParseFilter(IQueryCollection q)
    {
        static ParsedFilter Bad(string parameter, string detail) => new(null, Problems.BadRequest(parameter, detail));
        var filter = new HazardFilter();
        if (q["site"].ToString() is { Length: > 0 } site)
        {
            if (!Identifier.IsValid(site))
            {
                return Bad("site", $"'{site}' is not a site identifier");
            }

            filter = filter with { Site = site };
        }

        if (HazardQuery.Name<HazardStatus>(q, "status", HazardNames.TryParse, HazardQuery.Statuses, out var status) is { } badStatus)
        {
            return new ParsedFilter(null, badStatus);
        }

        if (HazardQuery.Name<HazardCategory>(q, "category", HazardNames.TryParse, HazardQuery.Categories, out var category) is { } badCategory)
        {
            return new ParsedFilter(null, badCategory);
        }

        if (HazardQuery.Name<RiskLevel>(q, "risk", HazardNames.TryParse, HazardQuery.Risks, out var risk) is { } badRisk)
        {
            return new ParsedFilter(null, badRisk);
        }

        filter = filter with { Status = status, Category = category, Risk = risk };

        if (q["source"].ToString() is { Length: > 0 } source)
        {
            if (!HazardNames.TryParse(source, out HazardSource s))
            {
                return Bad("source", "source must be alarm, inspection or report");
            }

            filter = filter with { Source = s };
        }

        if (q["overdue"].ToString() is { Length: > 0 } overdue)
        {
            if (!bool.TryParse(overdue, out var o))
            {
                return Bad("overdue", "overdue must be true or false");
            }

            filter = filter with { Overdue = o };
        }

        if (q["from"].ToString() is { Length: > 0 } from)
        {
            if (!Timestamps.TryParse(from, out var f))
            {
                return Bad("from", "from must be an RFC 3339 time with an offset");
            }

            filter = filter with { From = f };
        }

        if (q["to"].ToString() is { Length: > 0 } to)
        {
            if (!Timestamps.TryParse(to, out var t) || (filter.From is { } start && t <= start))
            {
                return Bad("to", "to must be an RFC 3339 time with an offset, after from");
            }

            filter = filter with { To = t };
        }

        if (q["q"].ToString() is { Length: > 0 } text)
        {
            if (text.Length > 100)
            {
                return Bad("q", "q is at most 100 characters");
            }

            filter = filter with { Text = text };
        }

        if (q["limit"].ToString() is { Length: > 0 } limit)
        {
            if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var l) || l is < 1 or > MaxLimit)
            {
                return Bad("limit", $"limit must be 1..{MaxLimit}");
            }

            filter = filter with { Limit = l };
        }

        return new ParsedFilter(filter, null);
    }

    private sealed record ParsedDraft(HazardDraft? Draft, IResult? Problem);

    private static ParsedDraft ParseDraft(HazardCreateRequest? b, ClaimsPrincipal user)
    {
        static ParsedDraft Bad(string parameter, string detail) => new(null, Problems.BadRequest(parameter, detail));
        if (b?.Site is not { } site || !Identifier.IsValid(site))
        {
            return Bad("site", "'site' must be a site identifier");
        }

        if (!HazardNames.TryParse(b.Category, out HazardCategory category))
        {
            return Bad("category", "'category' must be fire, food_safety, lab_chemicals, traffic, buildings, facilities or other");
        }

        if (!HazardNames.TryParse(b.Risk, out RiskLevel risk))
        {
            return Bad("risk", "'risk' must be major, significant, general or low");
        }

        var source = HazardSource.Report;
        if (b.Source is not null && !HazardNames.TryParse(b.Source, out source))
        {
            return Bad("source", "'source' must be inspection or report");
        }

        if (b.Source is null && user.CanManage(site))
        {
            source = HazardSource.Inspection;
        }

        if (source == HazardSource.Alarm)
        {
            return Bad("source", "hazards from alarms are opened by the alarm feed; register as inspection or report");
        }

        if (string.IsNullOrWhiteSpace(b.Title) || string.IsNullOrWhiteSpace(b.Description))
        {
            return Bad("title", "'title' and 'description' are required");
        }

        if (b.Device is { Length: > 0 } device && !Identifier.IsValid(device))
        {
            return Bad("device", $"'{device}' is not a device identifier");
        }

        DateTimeOffset? foundAt = null;
        if (b.FoundAt is { } found)
        {
            if (!Timestamps.TryParse(found, out var f))
            {
                return Bad("foundAt", "'foundAt' must be an RFC 3339 time with an offset");
            }

            foundAt = f;
        }

        if (!TryDate(b.Deadline, out var deadline))
        {
            return Bad("deadline", "'deadline' must be a date yyyy-MM-dd");
        }

        return new ParsedDraft(
            new HazardDraft
            {
                Site = site,
                Location = b.Location,
                Device = string.IsNullOrWhiteSpace(b.Device) ? null : b.Device,
                Category = category,
                Source = source,
                Title = b.Title,
                Description = b.Description,
                Risk = risk,
                FoundAt = foundAt,
                FoundBy = string.IsNullOrWhiteSpace(b.FoundBy) ? user.DisplayName() : b.FoundBy,
                Measures = b.Measures,
                Funds = b.Funds,
                ResponsibleUnit = b.ResponsibleUnit,
                ResponsiblePerson = b.ResponsiblePerson,
                Deadline = deadline,
                Reinspector = b.Reinspector,
            },
            null);
    }

    private sealed record ParsedPatch(HazardPatch? Patch, IResult? Problem);

    private static ParsedPatch ParsePatch(HazardUpdateRequest b)
    {
        static ParsedPatch Bad(string parameter, string detail) => new(null, Problems.BadRequest(parameter, detail));
        HazardCategory? category = null;
        if (b.Category is not null)
        {
            if (!HazardNames.TryParse(b.Category, out HazardCategory c))
            {
                return Bad("category", "'category' must be fire, food_safety, lab_chemicals, traffic, buildings, facilities or other");
            }

            category = c;
        }

        RiskLevel? risk = null;
        if (b.Risk is not null)
        {
            if (!HazardNames.TryParse(b.Risk, out RiskLevel r))
            {
                return Bad("risk", "'risk' must be major, significant, general or low");
            }

            risk = r;
        }

        if (!TryDate(b.Deadline, out var deadline))
        {
            return Bad("deadline", "'deadline' must be a date yyyy-MM-dd");
        }

        if (b.Note is { Length: > 2000 })
        {
            return Bad("note", "'note' is at most 2000 characters");
        }

        return new ParsedPatch(
            new HazardPatch
            {
                Location = b.Location,
                Category = category,
                Title = b.Title,
                Description = b.Description,
                Risk = risk,
                Measures = b.Measures,
                Funds = b.Funds,
                ResponsibleUnit = b.ResponsibleUnit,
                ResponsiblePerson = b.ResponsiblePerson,
                Deadline = deadline,
                Reinspector = b.Reinspector,
            },
            null);
    }

    private static bool TryDate(string? text, out DateOnly? date)
    {
        date = null;
        if (text is null)
        {
            return true;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            date = parsed;
            return true;
        }

        return false;
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
