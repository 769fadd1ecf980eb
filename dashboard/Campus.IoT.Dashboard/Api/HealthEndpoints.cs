using Campus.IoT.Alerting;
using Campus.IoT.Dashboard.Messaging;
using Campus.IoT.Ingest;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Dashboard.Api;

internal static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        // 200 when every part is up, 503 with the failing parts named otherwise.
        routes.MapGet("/healthz", (IOptions<CampusOptions> options, EmbeddedBroker broker, IngestConsumer ingest, AlertingConsumer alerting, IngestQueue queue) =>
        {
            var embedded = options.Value.Mqtt.UseEmbedded;
            var checks = new Dictionary<string, string>
            {
                ["broker"] = embedded ? (broker.IsRunning ? "ok" : "down") : "external",
                ["ingest"] = ingest.IsConnected ? "ok" : "disconnected",
                ["alerting"] = alerting.IsConnected ? "ok" : "disconnected",
            };
            var healthy = checks.Values.All(v => v is "ok" or "external");
            var body = new { status = healthy ? "ok" : "degraded", checks, ingestQueue = queue.Count };
            return Results.Json(body, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        routes.MapGet("/api/ingest/rejects", (RecentRejects rejects) => Results.Ok(rejects.Snapshot()));

        // Per gateway: last seq, messages, missing (gaps), duplicates, spool resets.
        routes.MapGet("/api/ingest/gateways", (SeqTracker seq) => Results.Ok(seq.Snapshot()));
    }
}
