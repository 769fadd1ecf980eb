using System.Security.Claims;
using Campus.IoT.Alerting;
using Campus.IoT.Dashboard.Auth;
using Campus.IoT.Dashboard.Messaging;
using Campus.IoT.Ingest;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Campus.IoT.Dashboard.Api;

internal static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        // 200 when every part is up, 503 with the failing parts named otherwise.
        routes.MapGet("/healthz", (IOptions<CampusOptions> options, EmbeddedBroker broker, IngestConsumer ingest, IngestWriter writer, AlertingConsumer alerting, IServiceProvider services) =>
        {
            var embedded = options.Value.Mqtt.UseEmbedded;
            var checks = new Dictionary<string, string>
            {
                ["broker"] = embedded ? (broker.IsRunning ? "ok" : "down") : "external",
                ["ingest"] = ingest.IsConnected ? "ok" : "disconnected",
                ["alerting"] = alerting.IsConnected ? "ok" : "disconnected",
                ["store"] = writer.Health.State == "failing" ? "failing" : "ok",
            };
            var healthy = checks.Values.All(v => v is "ok" or "external");
            // Campus:Cluster:Redis: shown, but it does not make the node unhealthy. Every node shares the one Redis, so a load
            // balancer that dropped nodes for it would take every board away at once; the node's own alarm path runs without it.
            if (services.GetService<IConnectionMultiplexer>() is { } redis)
            {
                checks["cluster"] = redis.IsConnected ? "ok" : "redis-down";
            }

            var store = writer.Health;
            var body = new { status = healthy ? "ok" : "degraded", checks, ingestQueue = store.Queued, ingest = store };
            return Results.Json(body, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();

        // Rejected messages and items, newest first, with their payload (preview); ?reason=&limit= (default 200).
        // Rejected payloads can come from any school: district admins only.
        routes.MapGet("/api/ingest/rejects", (ClaimsPrincipal user, DeadLetterStore rejects, string? reason, int? limit) =>
            !user.IsDistrictAdmin() ? Problems.Forbidden("rejected messages are for district admins")
            : limit is < 1 or > 10_000
                ? Problems.BadRequest("limit", "limit must be 1..10000")
                : Results.Ok(rejects.Snapshot(limit ?? 200, reason)));

        // The whole raw payload of one rejection, as received.
        routes.MapGet("/api/ingest/rejects/{id:long}/payload", (ClaimsPrincipal user, DeadLetterStore rejects, long id) =>
            !user.IsDistrictAdmin() ? Problems.Forbidden("rejected messages are for district admins")
            : rejects.Payload(id) is { } payload ? Results.Bytes(payload, "application/octet-stream") : Problems.NotFound($"no rejected message {id}"));

        // Per gateway: last seq, messages, missing (gaps), duplicates, spool resets.
        routes.MapGet("/api/ingest/gateways", (ClaimsPrincipal user, SeqTracker seq) => Results.Ok(seq.Snapshot().Where(g => user.CanSeeSite(g.Site))));
    }
}
