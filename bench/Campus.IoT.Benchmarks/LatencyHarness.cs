using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Campus.IoT.Alerting;
using Campus.IoT.Dashboard;
using Campus.IoT.Ingest;
using Campus.IoT.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Campus.IoT.Benchmarks;

/// <summary>
/// End-to-end alarm latency: the whole platform in-process (embedded broker, ingest, alerting, SignalR hub) with a temporary
/// data directory. For each of N distinct devices a smoke event is published (MQTT 5, QoS 1) and the time from the start of
/// the publish to the <c>alarmChanged</c> push arriving at a SignalR client is measured. Baseline in the same run, interleaved
/// sample by sample: the plain broker round trip, the same-size payload published by the same client to <c>bench/echo</c>
/// and received by a second MQTT client subscribed to it.
/// </summary>
internal static class LatencyHarness
{
    private const string Site = "bench";
    private const string Gateway = "gw-1";
    private const string EchoTopic = "bench/echo";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static long s_seq;

    public static async Task<int> RunAsync(string[] args)
    {
        var count = IntArg(args, "--count", 300);
        var warmup = IntArg(args, "--warmup", 30);
        var gap = TimeSpan.FromMilliseconds(IntArg(args, "--gap-ms", 5));
        var hostLogs = args.Contains("--host-logs");

        var dataDir = Directory.CreateTempSubdirectory("campus-latency-").FullName;
        var brokerPort = FreePort();
        string[] hostArgs =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Campus:DataDir={dataDir}",
            $"--Campus:Mqtt:EmbeddedPort={brokerPort}",
            "--Campus:InstanceId=bench",
        ];
        Console.WriteLine($"# alarm latency harness: {count} samples (+{warmup} warm-up), gap {gap.TotalMilliseconds:0} ms, {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, host logging {(hostLogs ? "as configured" : "off")}");
        Console.WriteLine($"# data dir {dataDir}, embedded broker 127.0.0.1:{brokerPort}");

        var app = CampusHost.Create(hostArgs, builder =>
        {
            if (!hostLogs)
            {
                builder.Logging.ClearProviders();
            }
        });
        try
        {
            await app.StartAsync();
            using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await app.Services.GetRequiredService<IngestConsumer>().WaitConnectedAsync(ready.Token);
                await app.Services.GetRequiredService<AlertingConsumer>().WaitConnectedAsync(ready.Token);
            }

            var baseUrl = new Uri(app.Urls.First());
            var (alarm, echo, internalMean) = await MeasureAsync(baseUrl, brokerPort, count, warmup, gap);
            Report(alarm, echo, internalMean);
            return 0;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<(double[] Alarm, double[] Echo, double? InternalMeanMs)> MeasureAsync(Uri baseUrl, int brokerPort, int count, int warmup, TimeSpan gap)
    {
        // The guard room: a SignalR client on every site.
        var pending = new ConcurrentDictionary<string, TaskCompletionSource<long>>(StringComparer.Ordinal);
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(baseUrl, "/hubs/live")).Build();
        hub.On<JsonElement>("alarmChanged", a =>
        {
            var at = Stopwatch.GetTimestamp();
            if (a.TryGetProperty("device", out var device) && device.GetString() is { } name && pending.TryRemove(name, out var waiter))
            {
                waiter.TrySetResult(at);
            }
        });
        await hub.StartAsync();
        await hub.InvokeAsync("JoinSite", "*");

        // The gateway (publisher) and the plain-broker baseline's receiver.
        using var publisher = new MqttClientFactory().CreateMqttClient();
        using var receiver = new MqttClientFactory().CreateMqttClient();
        EchoWaiter? echoWaiter = null;
        receiver.ApplicationMessageReceivedAsync += e =>
        {
            var at = Stopwatch.GetTimestamp();
            if (Volatile.Read(ref echoWaiter) is { } waiter && e.ApplicationMessage.ConvertPayloadToString().Contains(waiter.Marker, StringComparison.Ordinal))
            {
                waiter.Received.TrySetResult(at);
            }

            return Task.CompletedTask;
        };
        await publisher.ConnectAsync(ClientOptions("bench-gateway", brokerPort));
        await receiver.ConnectAsync(ClientOptions("bench-echo", brokerPort));
        await receiver.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(EchoTopic, MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var eventsTopic = $"{Topic.Root}/{Site}/{Gateway}/events";

        // WaitConnectedAsync can return between CONNACK and SUBACK (it checks IsConnected first): probe until an alarm comes
        // through, each probe on a device of its own, before anything is measured.
        for (var probe = 0; ; probe++)
        {
            try
            {
                await AlarmOnceAsync(publisher, pending, eventsTopic, -1 - probe, TimeSpan.FromSeconds(1));
                break;
            }
            catch (TimeoutException) when (probe < 30)
            {
                Console.WriteLine($"# probe {probe}: no alarm within 1 s, the alerting subscription is not in place yet");
            }
        }

        var alarm = new List<double>(count);
        var echo = new List<double>(count);
        double? internalBefore = null;
        long? internalCountBefore = null;
        using var http = new HttpClient { BaseAddress = baseUrl };
        for (var i = 0; i < warmup + count; i++)
        {
            if (i == warmup)
            {
                (internalBefore, internalCountBefore) = await AlarmLatencyMetricAsync(http);
            }

            // Alternate which path goes first so neither always follows the other's background work (ingest's write).
            double a, b;
            if (i % 2 == 0)
            {
                a = await AlarmOnceAsync(publisher, pending, eventsTopic, i);
                await Task.Delay(gap);
                b = await EchoOnceAsync(publisher, v => Volatile.Write(ref echoWaiter, v), i);
            }
            else
            {
                b = await EchoOnceAsync(publisher, v => Volatile.Write(ref echoWaiter, v), i);
                await Task.Delay(gap);
                a = await AlarmOnceAsync(publisher, pending, eventsTopic, i);
            }

            await Task.Delay(gap);
            if (i >= warmup)
            {
                alarm.Add(a);
                echo.Add(b);
            }
        }

        var (internalAfter, internalCountAfter) = await AlarmLatencyMetricAsync(http);
        double? internalMean = internalCountAfter - internalCountBefore > 0
            ? (internalAfter - internalBefore) / (internalCountAfter - internalCountBefore) * 1000
            : null;

        await publisher.DisconnectAsync();
        await receiver.DisconnectAsync();
        return ([.. alarm], [.. echo], internalMean);
    }

    private static async Task<double> AlarmOnceAsync(IMqttClient publisher, ConcurrentDictionary<string, TaskCompletionSource<long>> pending, string topic, int i, TimeSpan? timeout = null)
    {
        var device = i >= 0 ? string.Create(CultureInfo.InvariantCulture, $"d{i}") : string.Create(CultureInfo.InvariantCulture, $"probe{-i}");
        var waiter = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[device] = waiter;
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(EventPayload(device))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var start = Stopwatch.GetTimestamp();
        var published = await publisher.PublishAsync(message);
        if (!published.IsSuccess)
        {
            throw new InvalidOperationException($"publish refused: {published.ReasonCode}");
        }

        var received = await waiter.Task.WaitAsync(timeout ?? Timeout);
        return Stopwatch.GetElapsedTime(start, received).TotalMilliseconds;
    }

    private static async Task<double> EchoOnceAsync(IMqttClient publisher, Action<EchoWaiter> arm, int i)
    {
        var device = string.Create(CultureInfo.InvariantCulture, $"e{i}");
        var waiter = new EchoWaiter($"\"{device}\"", new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        arm(waiter);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(EchoTopic)
            .WithPayload(EventPayload(device))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var start = Stopwatch.GetTimestamp();
        var published = await publisher.PublishAsync(message);
        if (!published.IsSuccess)
        {
            throw new InvalidOperationException($"publish refused: {published.ReasonCode}");
        }

        var received = await waiter.Received.Task.WaitAsync(Timeout);
        return Stopwatch.GetElapsedTime(start, received).TotalMilliseconds;
    }

    /// <summary>The contract's smoke event, stamped now (RFC 3339 UTC, milliseconds), with the gateway's next seq.</summary>
    private static byte[] EventPayload(string device)
    {
        var seq = Interlocked.Increment(ref s_seq);
        var now = Timestamps.Format(TimeProvider.System.GetUtcNow());
        return Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"seq":{{seq}},"ts":"{{now}}","events":[{"device":"{{device}}","type":"smoke","state":"active","ts":"{{now}}"}]}"""));
    }

    private static MqttClientOptions ClientOptions(string clientId, int port) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(true)
            .Build();

    /// <summary>Sum (s) and count of the platform's own <c>campus_alarm_latency_seconds</c> histogram (MQTT receipt → hub push).</summary>
    private static async Task<(double Sum, long Count)> AlarmLatencyMetricAsync(HttpClient http)
    {
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        double sum = 0;
        long count = 0;
        foreach (var line in text.Split('\n'))
        {
            var value = line[(line.LastIndexOf(' ') + 1)..];
            if (line.StartsWith("campus_alarm_latency_seconds_sum", StringComparison.Ordinal))
            {
                sum += double.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("campus_alarm_latency_seconds_count", StringComparison.Ordinal))
            {
                count += long.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return (sum, count);
    }

    private static void Report(double[] alarm, double[] echo, double? internalMeanMs)
    {
        Array.Sort(alarm);
        Array.Sort(echo);
        Console.WriteLine();
        Console.WriteLine("| path | n | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | mean (ms) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Row("MQTT round trip, plain broker (baseline): publish → second client receives", echo);
        Row("alarm path: publish smoke event → alarmChanged at the SignalR client", alarm);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio alarm / baseline: p50 {Percentile(alarm, 50) / Percentile(echo, 50):0.00}x, p99 {Percentile(alarm, 99) / Percentile(echo, 99):0.00}x"));
        if (internalMeanMs is { } mean)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"platform's own campus_alarm_latency_seconds over the measured samples (receipt in alerting → pushed to hub): mean {mean:0.000} ms"));
        }

        static void Row(string what, double[] sorted) =>
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {what} | {sorted.Length} | {Percentile(sorted, 50):0.000} | {Percentile(sorted, 95):0.000} | {Percentile(sorted, 99):0.000} | {sorted[^1]:0.000} | {sorted.Average():0.000} |"));
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p)
    {
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>The echo sample in flight: its device marker (so a stray earlier message cannot end it) and its arrival time.</summary>
    private sealed record EchoWaiter(string Marker, TaskCompletionSource<long> Received);

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
