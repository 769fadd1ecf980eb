using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Campus.IoT.Gateway;
using Campus.IoT.Gateway.Spool;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;

// dotnet run -c Release --project bench/Campus.IoT.SpoolBench [-- --broker mqtt://127.0.0.1:1883] [--messages N]
// 1. Durable append: telemetry messages of 50 readings appended to the spool by 4 concurrent writers (group commit),
//    against the baseline of the same bytes appended to one file with one fsync per message (what a naive spool does)
//    and with no fsync at all (the disk's ceiling).
// 2. Replay: a 1-hour outage of a 200-sensor gateway (200 sensors read every 10 s: 72,000 readings in 360 messages of 200)
//    published from the spool to a broker, against the baseline of publishing the same messages straight from memory.
var arguments = args.ToList();
string? broker = ArgValue("--broker");
var messages = int.Parse(ArgValue("--messages") ?? "4000", System.Globalization.CultureInfo.InvariantCulture);

var directory = Directory.CreateTempSubdirectory("campus-spoolbench-").FullName;
try
{
    Console.WriteLine($"# spool harness, {Environment.ProcessorCount} cores, {TimeProvider.System.GetUtcNow():yyyy-MM-dd}, temp dir on {DriveOf(directory)}");
    var payload = Telemetry(50, 1);
    Console.WriteLine($"message: 50 readings, {payload.Length} bytes");

    var naive = Time(() => AppendFile(Path.Combine(directory, "naive.bin"), payload, messages, fsyncEach: true));
    var ceiling = Time(() => AppendFile(Path.Combine(directory, "nofsync.bin"), payload, messages, fsyncEach: false));
    var spoolTime = await TimeAsync(async () =>
    {
        using var spool = DurableSpool.Open(new SpoolOptions(Path.Combine(directory, "spool")) { MaxBytes = long.MaxValue / 2 }, NullLogger.Instance);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = w; i < messages; i += 4)
            {
                await spool.AppendAsync(SpoolKind.Telemetry, _ => payload);
            }
        })));
    });
    Row("append, fsync per message (baseline)", messages, naive);
    Row("append, no fsync (disk ceiling)", messages, ceiling);
    Row("DurableSpool.AppendAsync, 4 writers, group commit", messages, spoolTime);
    Console.WriteLine($"ratio spool / fsync-per-message: {naive.TotalSeconds / spoolTime.TotalSeconds:0.00}x faster; spool / no-fsync ceiling: {ceiling.TotalSeconds / spoolTime.TotalSeconds:0.000}");

    await using var embedded = broker is null ? await StartEmbeddedBrokerAsync() : null;
    var endpoint = broker is null ? new MqttEndpoint("127.0.0.1", embedded!.Port) : (MqttEndpoint.TryParse(broker, out var e) ? e : throw new ArgumentException("bad --broker"));
    const int outageMessages = 360;
    var outage = Enumerable.Range(1, outageMessages).Select(i => Telemetry(200, i)).ToList();

    var direct = await TimeAsync(() => PublishDirectAsync(endpoint, outage));
    using var replaySpool = DurableSpool.Open(new SpoolOptions(Path.Combine(directory, "replay")) { MaxBytes = long.MaxValue / 2 }, NullLogger.Instance);
    foreach (var m in outage)
    {
        await replaySpool.AppendAsync(SpoolKind.Telemetry, _ => m);
    }

    var replay = await TimeAsync(async () =>
    {
        await using var publisher = new SpooledGatewayPublisher(endpoint, new GatewayIdentity("bench", "gw-replay", "bench"), replaySpool, TimeProvider.System, NullLogger.Instance);
        publisher.Start();
        while (replaySpool.Stats.Depth > 0)
        {
            await Task.Delay(5);
        }
    });
    Row($"publish 1 h outage straight from memory (baseline, {endpoint})", outageMessages * 200, direct, "readings");
    Row("replay 1 h outage from the spool (connect + publish + acknowledge)", outageMessages * 200, replay, "readings");
    Console.WriteLine($"ratio replay / direct publish time: {replay.TotalSeconds / direct.TotalSeconds:0.00}");
}
finally
{
    Directory.Delete(directory, recursive: true);
}

string? ArgValue(string name)
{
    var i = arguments.IndexOf(name);
    return i >= 0 && i + 1 < arguments.Count ? arguments[i + 1] : null;
}

static byte[] Telemetry(int readings, long seq)
{
    var now = TimeProvider.System.GetUtcNow();
    var message = new TelemetryMessage(seq, now, Enumerable.Range(0, readings).Select(i => new Reading($"sensor-{i:D3}", Metrics.Temperature, 20 + (i % 7 * 0.25), now)).ToList());
    return JsonSerializer.SerializeToUtf8Bytes(message, TelemetryJsonContext.Default.TelemetryMessage);
}

static void AppendFile(string path, byte[] payload, int count, bool fsyncEach)
{
    using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024);
    for (var i = 0; i < count; i++)
    {
        file.Write(payload);
        if (fsyncEach)
        {
            file.Flush(flushToDisk: true);
        }
    }

    file.Flush(flushToDisk: true);
}

static async Task PublishDirectAsync(MqttEndpoint endpoint, IReadOnlyList<byte[]> payloads)
{
    using var client = new MqttClientFactory().CreateMqttClient();
    await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(endpoint.Host, endpoint.Port).WithProtocolVersion(MqttProtocolVersion.V500).WithClientId("bench-direct").Build());
    foreach (var p in payloads)
    {
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("campus/v1/bench/gw-direct/telemetry").WithPayload(p).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
    }

    await client.DisconnectAsync();
}

static async Task<EmbeddedBroker> StartEmbeddedBrokerAsync()
{
    using var probe = new TcpListener(IPAddress.Loopback, 0);
    probe.Start();
    var port = ((IPEndPoint)probe.LocalEndpoint).Port;
    probe.Stop();
    var server = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port).Build());
    await server.StartAsync();
    return new EmbeddedBroker(server, port);
}

static TimeSpan Time(Action action)
{
    var watch = Stopwatch.StartNew();
    action();
    return watch.Elapsed;
}

static async Task<TimeSpan> TimeAsync(Func<Task> action)
{
    var watch = Stopwatch.StartNew();
    await action();
    return watch.Elapsed;
}

static void Row(string what, int units, TimeSpan elapsed, string unit = "messages") =>
    Console.WriteLine($"| {what} | {units} {unit} | {elapsed.TotalMilliseconds:0} ms | {units / elapsed.TotalSeconds:0} {unit}/s |");

static string DriveOf(string path) => new DriveInfo(path).DriveFormat;

internal sealed record EmbeddedBroker(MqttServer Server, int Port) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync();
        Server.Dispose();
    }
}
