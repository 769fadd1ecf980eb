using Campus.IoT.Ingest;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using OpenTelemetry.Metrics;

// campus-ingest: one ingest instance. Settings (appsettings.json, environment CAMPUS__…, or --Campus:…=…):
//   Campus:Mqtt:Broker   mqtt://host:1883 or mqtts://host:8883 (required)   Campus:InstanceId  unique per instance (default: machine name)
//   Campus:Mqtt:Username, Campus:Mqtt:Password, Campus:Mqtt:CaFile   a secured broker (campus provision platform; docs/security.md)
//   Campus:DataDir       where ingest.db (spill, dead letters) and readings.db (embedded store) live (default ./data)
//   Campus:Ingest:*      see IngestOptions                 Campus:Storage:*   the time-series store (default: SQLite)
//   Urls                 http://127.0.0.1:5081 by default: /healthz, /metrics, /api/ingest/rejects, /api/ingest/gateways
var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls(builder.Configuration["Urls"] ?? "http://127.0.0.1:5081");
var broker = builder.Configuration["Campus:Mqtt:Broker"];
if (!MqttEndpoint.TryParse(broker, out var endpoint))
{
    Console.Error.WriteLine($"campus-ingest: Campus:Mqtt:Broker must be mqtt://host:port or mqtts://host:port (got '{broker}'); e.g. --Campus:Mqtt:Broker=mqtt://127.0.0.1:1883");
    return 2;
}

var instance = builder.Configuration["Campus:InstanceId"] is { Length: > 0 } id ? id : Environment.MachineName.ToLowerInvariant();
var dataDir = Path.GetFullPath(builder.Configuration["Campus:DataDir"] ?? "data");
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(new MqttClientSettings(endpoint, instance)
{
    Username = builder.Configuration["Campus:Mqtt:Username"],
    Password = builder.Configuration["Campus:Mqtt:Password"],
    CaFile = builder.Configuration["Campus:Mqtt:CaFile"],
});
builder.Services.AddSingleton(sp => new PayloadDecoder(sp.GetRequiredService<TimeProvider>()));
builder.Services.AddCampusIngest(builder.Configuration, _ => dataDir);
builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(IngestMetrics.MeterName).AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));

var app = builder.Build();
app.MapPrometheusScrapingEndpoint("/metrics");
app.MapGet("/healthz", (IngestConsumer consumer, IngestWriter writer) =>
{
    var health = writer.Health;
    var ok = consumer.IsConnected && health.State != "failing";
    return Results.Json(new { status = ok ? "ok" : "degraded", mqtt = consumer.IsConnected ? "ok" : "disconnected", filters = consumer.Filters, ingest = health }, statusCode: ok ? 200 : 503);
});
app.MapGet("/api/ingest/rejects", (DeadLetterStore rejects, string? reason, int? limit) => Results.Ok(rejects.Snapshot(Math.Clamp(limit ?? 200, 1, 10_000), reason)));
app.MapGet("/api/ingest/gateways", (SeqTracker seq) => Results.Ok(seq.Snapshot()));
await app.RunAsync();
return 0;
