using System.Security.Claims;
using Campus.IoT.Alerting;
using Campus.IoT.Dashboard.Auth;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

/// <summary>
/// Maintenance windows: <c>GET /api/maintenance[?site=]</c> (running and planned), <c>POST /api/maintenance</c> to start or plan
/// one, <c>POST /api/maintenance/{id}/end</c> to end it early. Alarms of covered devices are suppressed meanwhile (stored and
/// audited, not shown, escalated or notified); fire alarms only when the window names the rule <c>fire</c>.
/// </summary>
internal static class MaintenanceEndpoints
{
    private const int MaxMinutes = 7 * 24 * 60;

    public static void MapMaintenanceEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/maintenance");

        group.MapGet("/", (ClaimsPrincipal user, IAlarms alarms, TimeProvider time, string? site) =>
            site is not null && !Identifier.IsValid(site)
                ? Problems.BadRequest("site", $"'{site}' is not a site identifier")
                : Results.Ok(alarms.Maintenance(time.GetUtcNow()).Where(w => (site is null || w.Site == site) && user.CanSeeSite(w.Site)).Select(MaintenanceDto.Of)));

        group.MapPost("/", async (ClaimsPrincipal user, IAlarms alarms, TimeProvider time, MaintenanceRequest? request, CancellationToken cancellationToken) =>
        {
            var now = time.GetUtcNow();
            if (Validate(request, now) is { } problem)
            {
                return problem;
            }

            if (!user.CanManage(request!.Site!))
            {
                return Problems.Forbidden($"maintenance windows of {request.Site} are for its safety officer or a district admin");
            }

            var from = request!.From is { } start && Timestamps.TryParse(start, out var parsed) ? parsed : now;
            var window = new MaintenanceWindow
            {
                Id = Guid.CreateVersion7(now).ToString("N"),
                Site = request.Site!,
                Gateway = request.Gateway,
                Devices = string.IsNullOrWhiteSpace(request.Devices) ? "*" : request.Devices.Trim(),
                Rules = request.Rules ?? [],
                From = from,
                Until = from.AddMinutes(request.Minutes!.Value),
                By = request.By!.Trim(),
                Reason = request.Reason!.Trim(),
            };
            await alarms.StartMaintenanceAsync(window, cancellationToken);
            return Results.Created($"/api/maintenance/{window.Id}", MaintenanceDto.Of(window));
        });

        group.MapPost("/{id}/end", async (ClaimsPrincipal user, IAlarms alarms, string id, AckRequest? request, CancellationToken cancellationToken) =>
        {
            if (alarms.FindMaintenance(id) is { } planned && !user.CanManage(planned.Site))
            {
                return Problems.Forbidden($"maintenance windows of {planned.Site} are for its safety officer or a district admin");
            }

            var by = request?.By?.Trim();
            if (string.IsNullOrEmpty(by) || by.Length > AlarmEndpoints.MaxByLength)
            {
                return Problems.BadRequest("by", $"'by' must name who ends the window (1-{AlarmEndpoints.MaxByLength} characters)");
            }

            return await alarms.EndMaintenanceAsync(id, by, cancellationToken) is { } ended
                ? Results.Ok(MaintenanceDto.Of(ended))
                : Problems.NotFound($"no running or planned maintenance window {id}");
        });
    }

    private static IResult? Validate(MaintenanceRequest? r, DateTimeOffset now)
    {
        if (r?.Site is not { } site || !Identifier.IsValid(site))
        {
            return Problems.BadRequest("site", "'site' must be a site identifier");
        }

        if (r.Gateway is { } gateway && !Identifier.IsValid(gateway))
        {
            return Problems.BadRequest("gateway", $"'{gateway}' is not a gateway identifier");
        }

        if (r.Devices is { Length: > 128 })
        {
            return Problems.BadRequest("devices", "'devices' is a glob of at most 128 characters");
        }

        if (r.Rules?.FirstOrDefault(rule => !Identifier.IsValid(rule)) is { } badRule)
        {
            return Problems.BadRequest("rules", $"'{badRule}' is not a rule name");
        }

        if (string.IsNullOrWhiteSpace(r.By) || r.By.Trim().Length > AlarmEndpoints.MaxByLength)
        {
            return Problems.BadRequest("by", $"'by' must name who plans the work (1-{AlarmEndpoints.MaxByLength} characters)");
        }

        if (string.IsNullOrWhiteSpace(r.Reason) || r.Reason.Trim().Length > AlarmEndpoints.MaxNoteLength)
        {
            return Problems.BadRequest("reason", $"'reason' must say what work is done (1-{AlarmEndpoints.MaxNoteLength} characters)");
        }

        if (r.Minutes is not (>= 1 and <= MaxMinutes))
        {
            return Problems.BadRequest("minutes", $"'minutes' must be 1..{MaxMinutes} (at most a week)");
        }

        if (r.From is { } from && (!Timestamps.TryParse(from, out var start) || start + TimeSpan.FromMinutes(r.Minutes.Value) <= now))
        {
            return Problems.BadRequest("from", "'from' must be an RFC 3339 UTC time, and the window must not be over already");
        }

        return null;
    }
}

/// <summary>The body of <c>POST /api/maintenance</c>.</summary>
internal sealed record MaintenanceRequest(string? Site, string? Gateway, string? Devices, string[]? Rules, string? From, int? Minutes, string? By, string? Reason);

internal sealed record MaintenanceDto(string Id, string Site, string? Gateway, string Devices, IReadOnlyList<string> Rules, string From, string Until, string By, string Reason, string? EndedAt, string? EndedBy)
{
    public static MaintenanceDto Of(MaintenanceWindow w) => new(
        w.Id, w.Site, w.Gateway, w.Devices, w.Rules, Timestamps.Format(w.From), Timestamps.Format(w.Until), w.By, w.Reason,
        w.EndedAt is { } ended ? Timestamps.Format(ended) : null, w.EndedBy);
}
