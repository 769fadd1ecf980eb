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
using Campus.IoT.Dashboard.Live;
using Campus.IoT.Ingest;
using Campus.IoT.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR;
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
/// <para>
/// With <c>--background-rps R</c> the samples are taken while R readings a second of ordinary telemetry flow through the
/// same host (<see cref="TelemetryLoad"/>: paced, <c>--background-batch</c> readings per message, <c>--background-publishers</c>
/// clients, in this process or with <c>--background-process</c> in a child process): ingest stores them, alerting evaluates
/// them and the hub pushes them to the guard-room client. What was published, acknowledged, stored and pushed over the
/// measured window is reported beside the latencies, so the load figure is the achieved one, not the requested one.
/// </para>
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
        var options = new Options(
            Count: IntArg(args, "--count", 300),
            Warmup: IntArg(args, "--warmup", 30),
            Gap: TimeSpan.FromMilliseconds(IntArg(args, "--gap-ms", 5)),
            Join: StringArg(args, "--join", "*"),
            BackgroundRps: IntArg(args, "--background-rps", 0),
            BackgroundBatch: IntArg(args, "--background-batch", 50),
            BackgroundPublishers: IntArg(args, "--background-publishers", 2),
            BackgroundGateways: IntArg(args, "--background-gateways", 0),
            BackgroundWarmup: TimeSpan.FromSeconds(IntArg(args, "--background-warmup-s", 5)),
            BackgroundProcess: args.Contains("--background-process"),
            Breakdown: args.Contains("--breakdown"));
        var hostLogs = args.Contains("--host-logs");

        var dataDir = Directory.CreateTempSubdirectory("campus-latency-").FullName;
        var brokerPort = FreePort();
        string[] hostArgs =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Campus:DataDir={dataDir}",
            $"--Campus:Mqtt:EmbeddedPort={brokerPort}",
            "--Campus:InstanceId=bench",
            // The harness's hub client does not sign in: anonymous visitors are a guard of every school, as with --demo.
            "--Campus:Auth:Anonymous=guard",
            "--Campus:Watchdog:Enabled=false",
        ];
        Console.WriteLine($"# alarm latency harness: {options.Count} samples (+{options.Warmup} warm-up), gap {options.Gap.TotalMilliseconds:0} ms, {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, host logging {(hostLogs ? "as configured" : "off")}, hub client joins '{options.Join}'");
        Console.WriteLine($"# data dir {dataDir}, embedded broker 127.0.0.1:{brokerPort}, load average at start {LoadAverage()}");

        using var stages = options.Breakdown ? new AlarmStages() : null;
        var app = CampusHost.Create(hostArgs, builder =>
        {
            if (!hostLogs)
            {
                builder.Logging.ClearProviders();
            }

            if (stages is not null)
            {
                builder.Services.AddSingleton(sp => stages.Wrap(new HubAlarmNotifier(sp.GetRequiredService<IHubContext<LiveHub>>(), sp.GetRequiredService<Campus.IoT.Dashboard.Devices.SiteDirectory>())));
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
            var result = await MeasureAsync(baseUrl, brokerPort, options, app.Services.GetRequiredService<IngestQueue>(), dataDir);
            Report(result, stages);
            Console.WriteLine($"# load average at end {LoadAverage()}");
            return result.Timeouts == 0 ? 0 : 1;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<Result> MeasureAsync(Uri baseUrl, int brokerPort, Options options, IngestQueue ingestQueue, string dataDir)
    {
        var (count, warmup, gap) = (options.Count, options.Warmup, options.Gap);

        // The guard room: a SignalR client on every site (as the board joins '*'), which also gets every stored reading.
        var pending = new ConcurrentDictionary<string, TaskCompletionSource<long>>(StringComparer.Ordinal);
        long readingPushes = 0, readingsPushed = 0;
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(baseUrl, "/hubs/live")).Build();
        hub.On<JsonElement>("alarmChanged", a =>
        {
            var at = Stopwatch.GetTimestamp();
            if (a.TryGetProperty("device", out var device) && device.GetString() is { } name && pending.TryRemove(name, out var waiter))
            {
                waiter.TrySetResult(at);
            }
        });
        hub.On<JsonElement>("readings", r =>
        {
            Interlocked.Increment(ref readingPushes);
            if (r.TryGetProperty("readings", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                Interlocked.Add(ref readingsPushed, list.GetArrayLength());
            }
        });
        await hub.StartAsync();
        await hub.InvokeAsync("JoinSite", options.Join);

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

        using var http = new HttpClient { BaseAddress = baseUrl };
        var storedAtLoadStart = (await ScrapeAsync(http)).ReadingsStored;
        await using var background = await Background.StartAsync(options, brokerPort);
        if (background.IsOn)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# background: {options.BackgroundRps} readings/s requested = {background.MessagesPerSecond:0.#} msg/s × {options.BackgroundBatch} readings, {background.Gateways} gateways × {options.BackgroundBatch} devices, {options.BackgroundPublishers} publishers {(options.BackgroundProcess ? "in a child process" : "in this process")}; {options.BackgroundWarmup.TotalSeconds:0} s of load before the warm-up samples"));
            await Task.Delay(options.BackgroundWarmup);
        }

        var alarm = new List<double>(count);
        var echo = new List<double>(count);
        var traces = new List<Trace>(count);
        var timeouts = 0;
        Snapshot? before = null;
        var sampler = new Sampler(ingestQueue);
        (Action Stop, Task<double[]> Durations)? fsyncProbe = null;
        for (var i = 0; i < warmup + count; i++)
        {
            if (i == warmup)
            {
                before = await Snapshot.TakeAsync(http, background, () => (Interlocked.Read(ref readingPushes), Interlocked.Read(ref readingsPushed)));
                sampler.Start();
                fsyncProbe = options.Breakdown ? AlarmStages.ProbeFsync(dataDir) : null;
            }

            // Alternate which path goes first so neither always follows the other's background work (ingest's write).
            double a, b;
            if (i % 2 == 0)
            {
                a = await AlarmOrTimeoutAsync(i);
                await Task.Delay(gap);
                b = await EchoOnceAsync(publisher, v => Volatile.Write(ref echoWaiter, v), i);
            }
            else
            {
                b = await EchoOnceAsync(publisher, v => Volatile.Write(ref echoWaiter, v), i);
                await Task.Delay(gap);
                a = await AlarmOrTimeoutAsync(i);
            }

            await Task.Delay(gap);
            if (i >= warmup)
            {
                alarm.Add(a);
                echo.Add(b);
            }
        }

        var peaks = await sampler.StopAsync();
        fsyncProbe?.Stop();
        var fsyncs = fsyncProbe is { } running ? await running.Durations : null;
        var after = await Snapshot.TakeAsync(http, background, () => (Interlocked.Read(ref readingPushes), Interlocked.Read(ref readingsPushed)));
        double? internalMean = after.AlarmLatencyCount - before!.AlarmLatencyCount > 0
            ? (after.AlarmLatencySum - before.AlarmLatencySum) / (after.AlarmLatencyCount - before.AlarmLatencyCount) * 1000
            : null;

        // Stop the load, then wait until ingest has stored every reading that was acknowledged (and count it).
        Drain? drain = null;
        if (background.IsOn)
        {
            var final = await background.StopAsync();
            var expected = final.Acknowledged * options.BackgroundBatch;
            var clock = Stopwatch.StartNew();
            long stored;
            while ((stored = (await ScrapeAsync(http)).ReadingsStored - storedAtLoadStart) < expected && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(50);
            }

            drain = new Drain(final, stored, expected, clock.Elapsed.TotalSeconds);
        }

        await publisher.DisconnectAsync();
        await receiver.DisconnectAsync();
        return new Result([.. alarm], [.. echo], timeouts, internalMean, options, new Window(before, after, peaks), drain, traces, fsyncs);

        async Task<double> AlarmOrTimeoutAsync(int i)
        {
            try
            {
                return await AlarmOnceAsync(publisher, pending, eventsTopic, i, traces: i >= warmup ? traces : null);
            }
            catch (TimeoutException)
            {
                // Counted and reported as the timeout: under overload a figure, not a crash.
                timeouts++;
                pending.TryRemove(string.Create(CultureInfo.InvariantCulture, $"d{i}"), out _);
                return Timeout.TotalMilliseconds;
            }
        }
    }

    private static async Task<double> AlarmOnceAsync(IMqttClient publisher, ConcurrentDictionary<string, TaskCompletionSource<long>> pending, string topic, int i, TimeSpan? timeout = null, List<Trace>? traces = null)
    {
        var device = i >= 0 ? string.Create(CultureInfo.InvariantCulture, $"d{i}") : string.Create(CultureInfo.InvariantCulture, $"probe{-i}");
        var waiter = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[device] = waiter;
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(EventPayload(device))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var (pause, gen1, gen2) = (GC.GetTotalPauseDuration(), GC.CollectionCount(1), GC.CollectionCount(2));
        var start = Stopwatch.GetTimestamp();
        var published = await publisher.PublishAsync(message);
        if (!published.IsSuccess)
        {
            throw new InvalidOperationException($"publish refused: {published.ReasonCode}");
        }

        var received = await waiter.Task.WaitAsync(timeout ?? Timeout);
        traces?.Add(new Trace(device, start, received, GC.GetTotalPauseDuration() - pause, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2));
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

    /// <summary>The host's <c>/metrics</c>: readings stored by ingest, the alarm latency histogram's sum (s) and count, alarms raised.</summary>
    private static async Task<Metrics> ScrapeAsync(HttpClient http)
    {
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        double stored = 0, latencySum = 0, latencyCount = 0, raised = 0, dropped = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var end = line.IndexOfAny(['{', ' ']);
            var name = end < 0 ? line : line[..end];
            var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            switch (name)
            {
                case "campus_ingest_readings_stored_total": stored += value; break;
                case "campus_alarm_latency_seconds_sum": latencySum += value; break;
                case "campus_alarm_latency_seconds_count": latencyCount += value; break;
                case "campus_alarms_raised_total": raised += value; break;
                case "campus_broker_messages_dropped_total": dropped += value; break;
                default: break;
            }
        }

        return new Metrics((long)stored, latencySum, (long)latencyCount, (long)raised, (long)dropped);
    }

    private static void Report(Result result, AlarmStages? stages)
    {
        var (alarm, echo) = (result.Alarm, result.Echo);
        Array.Sort(alarm);
        Array.Sort(echo);
        Console.WriteLine();
        if (result.Window is { } w)
        {
            ReportWindow(result.Options, w, result.Drain);
            Console.WriteLine();
        }

        Console.WriteLine("| path | n | p50 (ms) | p90 (ms) | p95 (ms) | p99 (ms) | max (ms) | mean (ms) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        Row("MQTT round trip, plain broker (baseline): publish → second client receives", echo);
        Row("alarm path: publish smoke event → alarmChanged at the SignalR client", alarm);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio alarm / baseline: p50 {Percentile(alarm, 50) / Percentile(echo, 50):0.00}x, p90 {Percentile(alarm, 90) / Percentile(echo, 90):0.00}x, p99 {Percentile(alarm, 99) / Percentile(echo, 99):0.00}x"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"alarm p99 {Percentile(alarm, 99):0.000} ms against the 20 ms target: {(Percentile(alarm, 99) <= 20 ? "met" : "NOT met")}{(result.Timeouts > 0 ? $"; {result.Timeouts} alarms not received within {Timeout.TotalSeconds:0} s (counted as {Timeout.TotalMilliseconds:0} ms)" : string.Empty)}"));
        if (result.InternalMeanMs is { } mean)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"platform's own campus_alarm_latency_seconds over the measured samples (receipt in alerting → pushed to hub): mean {mean:0.000} ms"));
        }

        ReportTraces(result.Traces, stages, result.Fsyncs);

        static void Row(string what, double[] sorted) =>
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {what} | {sorted.Length} | {Percentile(sorted, 50):0.000} | {Percentile(sorted, 90):0.000} | {Percentile(sorted, 95):0.000} | {Percentile(sorted, 99):0.000} | {sorted[^1]:0.000} | {sorted.Average():0.000} |"));
    }

    /// <summary>The slowest samples with the GC's pauses during each; with <c>--breakdown</c> the stages of every sample.</summary>
    private static void ReportTraces(List<Trace> traces, AlarmStages? stages, double[]? fsyncs)
    {
        if (traces.Count == 0)
        {
            return;
        }

        static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
        Console.WriteLine();
        if (stages is not null)
        {
            var split = traces.Select(t => (t, s: stages.Of(t.Device))).Where(x => x.s is { Received: > 0, PushEnd: > 0 }).ToList();
            Console.WriteLine($"stages of {split.Count} of {traces.Count} alarms (--breakdown):");
            Console.WriteLine("| stage | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | mean (ms) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            Stage("publish → alerting consumer receives (broker hop)", [.. split.Select(x => Ms(x.t.Start, x.s!.Received))]);
            Stage("alerting: decode, engine, store (fsync) → push starts", [.. split.Select(x => Ms(x.s!.Received, x.s.PushStart))]);
            Stage("hub send (SendAsync to the groups returns)", [.. split.Select(x => Ms(x.s!.PushStart, x.s.PushEnd))]);
            Stage("hub → SignalR client's handler", [.. split.Select(x => Ms(x.s!.PushEnd, x.t.Received))]);
            Stage("GC pause during the sample (this process)", [.. split.Select(x => x.t.GcPause.TotalMilliseconds)]);
            if (fsyncs is { Length: > 0 })
            {
                Stage(string.Create(CultureInfo.InvariantCulture, $"disk probe beside it: 4 KiB write + fsync in the data directory, every 20 ms (n = {fsyncs.Length})"), fsyncs);
            }

            Console.WriteLine();
        }

        Console.WriteLine("slowest alarms: total ms [broker→alerting / alerting / hub send / →client] (GC pause ms during it, gen1/gen2 collections)");
        foreach (var t in traces.OrderByDescending(t => t.Received - t.Start).Take(8))
        {
            var s = stages?.Of(t.Device);
            var parts = s is { Received: > 0, PushEnd: > 0 }
                ? string.Create(CultureInfo.InvariantCulture, $" [{Ms(t.Start, s.Received):0.0} / {Ms(s.Received, s.PushStart):0.0} / {Ms(s.PushStart, s.PushEnd):0.0} / {Ms(s.PushEnd, t.Received):0.0}]")
                : string.Empty;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Ms(t.Start, t.Received):0.0}{parts} (GC {t.GcPause.TotalMilliseconds:0.0} ms, {t.Gen1}/{t.Gen2})"));
        }

        static void Stage(string what, double[] values)
        {
            Array.Sort(values);
            if (values.Length > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {what} | {Percentile(values, 50):0.000} | {Percentile(values, 90):0.000} | {Percentile(values, 99):0.000} | {values[^1]:0.000} | {values.Average():0.000} |"));
            }
        }
    }

    /// <summary>The background load's achieved rates (when there is one), then the host's and the machine's state.</summary>
    private static void ReportWindow(Options options, Window w, Drain? drain)
    {
        var (b, a) = (w.Before, w.After);
        var seconds = Stopwatch.GetElapsedTime(b.At, a.At).TotalSeconds;
        var batch = options.BackgroundBatch;
        double PerSecond(long n) => n / seconds;
        var published = a.Load.Published - b.Load.Published;
        var acked = a.Load.Acknowledged - b.Load.Acknowledged;
        var stored = a.Metrics.ReadingsStored - b.Metrics.ReadingsStored;
        var cores = Environment.ProcessorCount;
        var ownCpu = (a.ProcessCpu - b.ProcessCpu).TotalSeconds / seconds * 100;
        var childCpu = (a.ChildCpu - b.ChildCpu).TotalSeconds / seconds * 100;
        // A parent's reaped children count whole, so the sum can overshoot; the cores cannot.
        var others = Math.Min(OtherCpu(b.Others, a.Others, seconds), Math.Max(0, (cores * 100) - ownCpu - childCpu));
        if (drain is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"background over the measured window ({seconds:0.0} s), requested {options.BackgroundRps:N0} readings/s ({options.BackgroundRps / (double)batch:0.#} msg/s of {batch}):"));
            Console.WriteLine("| background telemetry | msg/s | readings/s |");
            Console.WriteLine("|---|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| published (PUBLISH sent) | {PerSecond(published):N0} | {PerSecond(published) * batch:N0} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| acknowledged by the broker (PUBACK) | {PerSecond(acked):N0} | {PerSecond(acked) * batch:N0} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| stored by ingest (campus_ingest_readings_stored_total) | {PerSecond(stored) / batch:N0} | {PerSecond(stored):N0} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| pushed to the guard-room SignalR client ('readings') | {PerSecond(a.Pushes - b.Pushes):N0} | {PerSecond(a.ReadingsPushed - b.ReadingsPushed):N0} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"publishing: {a.Load.Failed} failed; largest shortfall against the schedule {a.Load.MaxBehind} messages (in-flight bound {TelemetryLoad.MaxInFlight} per publisher)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"after the load stopped: {drain.Stored:N0} of {drain.Expected:N0} acknowledged readings stored ({(drain.Stored == drain.Expected ? "all" : drain.Stored > drain.Expected ? "MORE: duplicates?" : "MISSING")}) {drain.Seconds:0.00} s after the stop; whole run {drain.Final.Acknowledged * batch / drain.Final.Seconds:N0} readings/s acknowledged over {drain.Final.Seconds:0.0} s"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"host during the window: ingest queue peak {w.Peaks.Queue} of 10,000; thread pool peak {w.Peaks.PendingWork} queued work items, {w.Peaks.Threads} threads, a probe item's wait for a thread p50 {w.Peaks.PoolDelayP50:0.00} / p99 {w.Peaks.PoolDelayP99:0.00} / max {w.Peaks.PoolDelayMax:0.0} ms; GC gen0 {a.Gen0 - b.Gen0}, gen1 {a.Gen1 - b.Gen1}, gen2 {a.Gen2 - b.Gen2}, paused {(a.GcPause - b.GcPause).TotalMilliseconds:0} ms ({(a.GcPause - b.GcPause).TotalMilliseconds / seconds / 10:0.0} %); alarms raised other than the samples: {a.Metrics.AlarmsRaised - b.Metrics.AlarmsRaised - (a.Metrics.AlarmLatencyCount - b.Metrics.AlarmLatencyCount)}; broker drops {a.Metrics.BrokerDropped}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CPU over the window (100 % = one core, {cores} cores): this process {ownCpu:0} %{(options.BackgroundProcess ? $", load process {childCpu:0} %" : string.Empty)}, other processes on the machine about {others:0} % (load average {b.LoadAverage} → {a.LoadAverage})"));
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

    private static string StringArg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>
    /// CPU ticks (USER_HZ, 100 a second) of every other process on the machine, by pid: user + system time plus that of its
    /// reaped children, so a compiler that starts and ends inside the window is counted through its parent. <c>/proc/stat</c>
    /// is not used: in this VM its busy count comes out below this process's own CPU time.
    /// </summary>
    private static Dictionary<int, long> OtherProcessTicks(int? child)
    {
        var ticks = new Dictionary<int, long>();
        if (!Directory.Exists("/proc"))
        {
            return ticks;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId || pid == child)
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks[pid] = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture) + long.Parse(f[13], CultureInfo.InvariantCulture) + long.Parse(f[14], CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }

        return ticks;
    }

    /// <summary>Other processes' CPU between two <see cref="OtherProcessTicks"/>, in % of one core (new processes count whole).</summary>
    private static double OtherCpu(Dictionary<int, long> before, Dictionary<int, long> after, double seconds) =>
        after.Sum(p => Math.Max(0, p.Value - before.GetValueOrDefault(p.Key))) / (seconds * 100) * 100;

    /// <summary>The echo sample in flight: its device marker (so a stray earlier message cannot end it) and its arrival time.</summary>
    private sealed record EchoWaiter(string Marker, TaskCompletionSource<long> Received);

    private sealed record Options(int Count, int Warmup, TimeSpan Gap, string Join, int BackgroundRps, int BackgroundBatch, int BackgroundPublishers, int BackgroundGateways, TimeSpan BackgroundWarmup, bool BackgroundProcess, bool Breakdown);

    private sealed record Metrics(long ReadingsStored, double AlarmLatencySum, long AlarmLatencyCount, long AlarmsRaised, long BrokerDropped);

    private sealed record Result(double[] Alarm, double[] Echo, int Timeouts, double? InternalMeanMs, Options Options, Window? Window, Drain? Drain, List<Trace> Traces, double[]? Fsyncs);

    /// <summary>One measured alarm: when its publish started and its push arrived, and the GC's doing in between (this process).</summary>
    private sealed record Trace(string Device, long Start, long Received, TimeSpan GcPause, int Gen1, int Gen2);

    private sealed record Window(Snapshot Before, Snapshot After, Peaks Peaks);

    private sealed record Drain(LoadCounts Final, long Stored, long Expected, double Seconds);

    private readonly record struct Peaks(int Queue, long PendingWork, int Threads, double PoolDelayP50 = 0, double PoolDelayP99 = 0, double PoolDelayMax = 0);

    /// <summary>Everything counted at one edge of the measured window.</summary>
    private sealed record Snapshot(long At, LoadCounts Load, Metrics Metrics, long Pushes, long ReadingsPushed, TimeSpan ProcessCpu, TimeSpan ChildCpu, Dictionary<int, long> Others, string LoadAverage, int Gen0, int Gen1, int Gen2, TimeSpan GcPause)
    {
        public double AlarmLatencySum => Metrics.AlarmLatencySum;

        public long AlarmLatencyCount => Metrics.AlarmLatencyCount;

        public static async Task<Snapshot> TakeAsync(HttpClient http, Background background, Func<(long Pushes, long Readings)> pushed)
        {
            var metrics = await ScrapeAsync(http);
            var load = await background.CountsAsync();
            var (pushes, readings) = pushed();
            return new Snapshot(
                Stopwatch.GetTimestamp(), load, metrics, pushes, readings, Process.GetCurrentProcess().TotalProcessorTime, background.ChildCpu(), OtherProcessTicks(background.ChildId), LatencyHarness.LoadAverage(),
                GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        }
    }

    /// <summary>
    /// Peaks of the ingest queue and the thread pool's queue and size, sampled every 10 ms through the window; each sample
    /// also queues a work item and times how long it waits for a pool thread (starvation shows there first).
    /// </summary>
    private sealed class Sampler(IngestQueue queue)
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<double> _delays = new();
        private Task<Peaks>? _loop;

        public void Start() => _loop = Task.Run(async () =>
        {
            var peaks = default(Peaks);
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    peaks = peaks with { Queue = Math.Max(peaks.Queue, queue.Count), PendingWork = Math.Max(peaks.PendingWork, ThreadPool.PendingWorkItemCount), Threads = Math.Max(peaks.Threads, ThreadPool.ThreadCount) };
                    var queued = Stopwatch.GetTimestamp();
                    ThreadPool.UnsafeQueueUserWorkItem(static state => state.Delays.Enqueue(Stopwatch.GetElapsedTime(state.Queued).TotalMilliseconds), (Delays: _delays, Queued: queued), preferLocal: false);
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }

            var delays = _delays.ToArray();
            Array.Sort(delays);
            return delays.Length == 0 ? peaks : peaks with { PoolDelayP50 = Percentile(delays, 50), PoolDelayP99 = Percentile(delays, 99), PoolDelayMax = delays[^1] };
        });

        public async Task<Peaks> StopAsync()
        {
            await _stop.CancelAsync();
            var peaks = await _loop!;
            _stop.Dispose();
            return peaks;
        }
    }

    /// <summary>The background load, if any: none, in this process, or in a child process.</summary>
    private sealed class Background : IAsyncDisposable
    {
        private readonly TelemetryLoad? _inProcess;
        private readonly ChildProcessLoad? _child;

        private Background(TelemetryLoad? inProcess, ChildProcessLoad? child, double messagesPerSecond, int gateways)
        {
            _inProcess = inProcess;
            _child = child;
            MessagesPerSecond = messagesPerSecond;
            Gateways = gateways;
        }

        public bool IsOn => _inProcess is not null || _child is not null;

        public double MessagesPerSecond { get; }

        public int Gateways { get; }

        public static async Task<Background> StartAsync(Options options, int port)
        {
            if (options.BackgroundRps <= 0)
            {
                return new Background(null, null, 0, 0);
            }

            // The same arithmetic in both places: gateways default to one message a second each.
            var shape = new TelemetryLoad(port, options.BackgroundRps, options.BackgroundBatch, options.BackgroundPublishers, options.BackgroundGateways);
            if (!options.BackgroundProcess)
            {
                await shape.StartAsync();
                return new Background(shape, null, shape.MessagesPerSecond, shape.Gateways);
            }

            await shape.DisposeAsync();
            var child = await ChildProcessLoad.StartAsync(port, options.BackgroundRps, options.BackgroundBatch, options.BackgroundPublishers, shape.Gateways);
            await child.StartPublishingAsync();
            return new Background(null, child, shape.MessagesPerSecond, shape.Gateways);
        }

        public async Task<LoadCounts> CountsAsync() =>
            _inProcess is not null ? _inProcess.Counts() : _child is not null ? await _child.CountsAsync() : default;

        public TimeSpan ChildCpu() => _child?.Cpu() ?? TimeSpan.Zero;

        public int? ChildId => _child?.ProcessId;

        public async Task<LoadCounts> StopAsync()
        {
            if (_inProcess is not null)
            {
                await _inProcess.StopAsync();
                return _inProcess.Counts();
            }

            return _child is not null ? await _child.StopAsync() : default;
        }

        public async ValueTask DisposeAsync()
        {
            if (_inProcess is not null)
            {
                await _inProcess.DisposeAsync();
            }

            if (_child is not null)
            {
                await _child.DisposeAsync();
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
