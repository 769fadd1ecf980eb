using System.Globalization;
using Campus.IoT.Alerting;
using Campus.IoT.Gateway;
using Campus.IoT.Gateway.Simulation;
using Campus.IoT.Ingest;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Dashboard.Demo;

/// <summary>
/// <c>--demo</c>: a simulated gateway for a demo school that publishes real MQTT to the broker every few seconds and now and
/// then raises an alarm. Its <c>seq</c> is kept in the data directory so it keeps rising across restarts.
/// </summary>
internal sealed partial class DemoGatewayService(
    MqttClientSettings mqtt,
    IngestConsumer ingest,
    AlertingConsumer alerting,
    IOptions<CampusOptions> options,
    TimeProvider time,
    ILogger<DemoGatewayService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seqFile = options.Value.DataPath("demo-gateway.seq");
        var lastSeq = File.Exists(seqFile) && long.TryParse(await File.ReadAllTextAsync(seqFile, stoppingToken), CultureInfo.InvariantCulture, out var s) ? s : 0;
        var school = new DemoSchool();
        await using var publisher = new GatewayPublisher(mqtt.Endpoint, DemoSchool.Site, DemoSchool.Gateway, "demo", lastSeq, time, logger);
        try
        {
            // Publish only once the platform's own subscribers are up, so the first demo alarm is not missed on a fresh start.
            await Task.WhenAll(ingest.WaitConnectedAsync(stoppingToken), alerting.WaitConnectedAsync(stoppingToken));
            await publisher.StartAsync(stoppingToken);
            LogStarted(logger, DemoSchool.Site, DemoSchool.Gateway);
            using var timer = new PeriodicTimer(DemoSchool.Tick, time);
            do
            {
                var (readings, events) = school.Step(time.GetUtcNow());
                try
                {
                    if (events.Count > 0)
                    {
                        await publisher.PublishEventsAsync(events, stoppingToken);
                    }

                    await publisher.PublishReadingsAsync(readings, stoppingToken);
                    await File.WriteAllTextAsync(seqFile, publisher.LastSeq.ToString(CultureInfo.InvariantCulture), stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The demo has no spool (the real gateway's comes with the devices issue): a failed publish is logged and skipped.
                    LogPublishFailed(logger, ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Demo gateway {Site}/{Gateway} is publishing simulated data")]
    private static partial void LogStarted(ILogger logger, string site, string gateway);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Demo gateway publish failed: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, string error);
}
