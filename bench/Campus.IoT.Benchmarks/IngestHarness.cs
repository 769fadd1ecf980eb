using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Campus.IoT.Ingest;
using Campus.IoT.Ingest.Storage;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Campus.IoT.Benchmarks;

/// <summary>
/// End-to-end ingest throughput from a real Mosquitto into a store, against the raw broker rate measured in the same run:
/// the same publishers send the same gateway-like messages (50 readings, QoS 1) once to a bare subscriber that only counts
/// them, and once to ingest (MQTT 5 shared subscription, manual acknowledgement after the batch is durable). Rounds
/// alternate baseline / ingest so drift on a shared machine hits both. Then a 10× burst (ten times the messages, published
/// as fast as the broker takes them) with the process's peak memory sampled throughout.
/// <code>dotnet run -c Release --project bench/Campus.IoT.Benchmarks -- ingest [--messages 4000] [--rounds 3] [--publishers 4] [--store sqlite|victoria|discard] [--diagnose]</code>
/// (<c>--store discard</c>, for diagnosis: ingest whole except that its store keeps nothing.)
/// </summary>
internal static class IngestHarness
{
    private const int ReadingsPerMessage = 50;

    public static async Task<int> RunAsync(string[] args)
    {
        var messages = IntArg(args, "--messages", 4000);
        var rounds = IntArg(args, "--rounds", 3);
        var publishers = IntArg(args, "--publishers", 4);
        var store = StringArg(args, "--store", "sqlite");
        var work = Directory.CreateTempSubdirectory("campus-ingest-bench-").FullName;
        try
        {
            await using var mosquitto = await BenchServers.StartMosquittoAsync(work);
            if (store is not ("sqlite" or "victoria" or "discard"))
            {
                Console.Error.WriteLine($"unknown --store {store}: sqlite, victoria or discard");
                return 2;
            }

            await using var victoria = store == "victoria" ? await BenchServers.StartVictoriaMetricsAsync() : null;
            Console.WriteLine($"mosquitto {mosquitto.Uri}{(victoria is null ? string.Empty : $", victoria-metrics {victoria.Url}")}; {messages} messages × {ReadingsPerMessage} readings per round, {publishers} publishers, QoS 1, store {store}");
            var payloadBytes = Encoding.UTF8.GetByteCount(Payload(1, 0));
            Console.WriteLine($"message size ≈ {payloadBytes} B; GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, {System.Runtime.GCSettings.LatencyMode} (campus-ingest and the platform are ASP.NET Core hosts: server GC; DOTNET_gcServer=1 runs this harness the same way)");

            using var stored = new StoredCounter();
            var data = Path.Combine(work, "data");
            using var host = BuildIngestHost(mosquitto.Uri, data, store, victoria?.Url);
            await host.StartAsync();
            await host.Services.GetRequiredService<IngestConsumer>().WaitConnectedAsync(CancellationToken.None);

            var payloads = Payloads(messages, publishers);
            var results = new List<(double Raw, double Ingest, double RawCpu, double IngestCpu, double RawServerCpu, double IngestServerCpu)>();
            for (var round = 0; round <= rounds; round++)
            {
                // Round 0 warms up the JIT, the broker and the store; it is not reported.
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var serverCpu = ServerCpu();
                var gc = GcSnapshot.Take();
                var raw = await RawRoundAsync(mosquitto.Port, payloads, $"raw-{round}");
                var rawGc = GcSnapshot.Take() - gc;
                var rawCpu = CpuMicrosPerMessage(ref cpu, messages);
                var rawServerCpu = ServerCpuMicrosPerMessage(ref serverCpu, messages);
                if (args.Contains("--diagnose"))
                {
                    var manual = await RawRoundAsync(mosquitto.Port, payloads, $"manual-{round}", manualAck: true);
                    var manualCpu = CpuMicrosPerMessage(ref cpu, messages);
                    _ = ServerCpuMicrosPerMessage(ref serverCpu, messages);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round} diagnosis: bare subscriber acknowledging from another task in batches of 500, no store: {manual:F0} msg/s ({manual / raw:F2} of raw), {manualCpu:F0} CPU µs/msg"));
                }

                var site = $"ingest-{round}";
                gc = GcSnapshot.Take();
                var ingest = await IngestRoundAsync(mosquitto.Port, payloads, site, stored);
                var ingestGc = GcSnapshot.Take() - gc;
                var ingestCpu = CpuMicrosPerMessage(ref cpu, messages);
                var ingestServerCpu = ServerCpuMicrosPerMessage(ref serverCpu, messages);
                if (round > 0)
                {
                    results.Add((raw, ingest, rawCpu, ingestCpu, rawServerCpu, ingestServerCpu));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: raw broker {raw:F0} msg/s ({raw * ReadingsPerMessage:F0} readings/s); ingest {ingest:F0} msg/s ({ingest * ReadingsPerMessage:F0} readings/s); ratio {ingest / raw:F2}; GC raw {rawGc.Describe(messages)}, ingest {ingestGc.Describe(messages)}"));
                }
            }

            var burst = await BurstAsync(mosquitto.Port, messages * 10, publishers, "burst", stored, host);
            var verified = store switch
            {
                "sqlite" => host.Services.GetRequiredService<SqliteReadingStore>().CountReadings(),
                "discard" => ((DiscardStore)host.Services.GetRequiredService<ITimeSeriesStore>()).Readings,
                _ => await victoria!.CountSamplesAsync("temperature_value"),
            };
            var expected = (long)(rounds + 1 + 10) * messages * ReadingsPerMessage;
            Console.WriteLine();
            Console.WriteLine("| round | raw broker msg/s | ingest msg/s | ingest readings/s | ingest / raw | CPU µs/msg this process, raw | … ingest | CPU µs/msg servers, raw | … ingest |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (var i = 0; i < results.Count; i++)
            {
                var r = results[i];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {i + 1} | {r.Raw:F0} | {r.Ingest:F0} | {r.Ingest * ReadingsPerMessage:F0} | {r.Ingest / r.Raw:F2} | {r.RawCpu:F0} | {r.IngestCpu:F0} | {r.RawServerCpu:F0} | {r.IngestServerCpu:F0} |"));
            }

            var median = results.Select(r => r.Ingest / r.Raw).Order().ElementAt(results.Count / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median ratio {median:F2}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"10× burst: {messages * 10} messages in {burst.Seconds:F1} s ({burst.ReadingsPerSecond:F0} readings/s); peak working set {burst.PeakWorkingSetMb:F0} MiB, peak GC heap {burst.PeakHeapMb:F0} MiB (before the burst, with the publishers' {messages * 10 * payloadBytes / 1048576.0:F0} MiB of payloads built: {burst.BaseWorkingSetMb:F0} / {burst.BaseHeapMb:F0} MiB); queue peak {burst.PeakQueue} of {host.Services.GetRequiredService<IngestQueue>().Capacity}"));
            Console.WriteLine($"stored readings counted by the store: {verified}, expected {expected}: {(verified == expected ? "zero loss, none doubled" : "MISMATCH")}");
            await host.StopAsync();
            return verified == expected ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(work, recursive: true);
        }
    }

    private static IHost BuildIngestHost(string brokerUri, string dataDir, string store, string? victoriaUrl)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        var settings = new Dictionary<string, string?>();
        if (store == "victoria")
        {
            settings["Campus:Storage:Kind"] = "influxdb2";
            settings["Campus:Storage:Url"] = victoriaUrl;
            settings["Campus:Storage:Org"] = "campus";
            settings["Campus:Storage:Bucket"] = "campus";
            settings["Campus:Storage:Token"] = "unused-by-victoria-metrics";
        }

        builder.Configuration.AddInMemoryCollection(settings);
        if (!MqttEndpoint.TryParse(brokerUri, out var endpoint))
        {
            throw new ArgumentException($"bad broker uri {brokerUri}", nameof(brokerUri));
        }

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new MqttClientSettings(endpoint, "bench"));
        builder.Services.AddSingleton(sp => new PayloadDecoder(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddCampusIngest(builder.Configuration, _ => dataDir);
        if (store == "discard")
        {
            // Diagnosis only: everything ingest does except the store write (receive, decode, queue, acknowledgement).
            builder.Services.AddSingleton<ITimeSeriesStore>(new DiscardStore());
        }

        return builder.Build();
    }

    /// <summary>Baseline: a bare MQTTnet subscriber (QoS 1, automatic acknowledgement) that counts messages.</summary>
    private static async Task<double> RawRoundAsync(int port, byte[][][] payloads, string site, bool manualAck = false)
    {
        var messages = payloads.Sum(p => p.Length);
        var received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = System.Threading.Channels.Channel.CreateUnbounded<MqttApplicationMessageReceivedEventArgs>();
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            if (manualAck)
            {
                e.AutoAcknowledge = false;
                pending.Writer.TryWrite(e);
            }

            if (Interlocked.Increment(ref received) == messages)
            {
                done.TrySetResult();
            }

            return Task.CompletedTask;
        };
        var acker = Task.Run(async () =>
        {
            var batch = new List<MqttApplicationMessageReceivedEventArgs>(500);
            while (await pending.Reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < 500 && pending.Reader.TryRead(out var e))
                {
                    batch.Add(e);
                }

                foreach (var e in batch)
                {
                    await e.AcknowledgeAsync(CancellationToken.None);
                }
            }
        });
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"raw-{Guid.NewGuid():N}"[..20]).WithCleanStart(true).WithReceiveMaximum(4000).Build());
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"bench/raw/{site}/+/telemetry", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var clock = Stopwatch.StartNew();
        await PublishAsync(port, payloads, $"bench/raw/{site}");
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        var seconds = clock.Elapsed.TotalSeconds;
        pending.Writer.Complete();
        await acker;
        await subscriber.DisconnectAsync();
        return messages / seconds;
    }

    private static async Task<double> IngestRoundAsync(int port, byte[][][] payloads, string site, StoredCounter stored)
    {
        var messages = payloads.Sum(p => p.Length);
        var target = stored.Value + ((long)messages * ReadingsPerMessage);
        var clock = Stopwatch.StartNew();
        await PublishAsync(port, payloads, $"campus/v1/{site}");
        await stored.WaitForAsync(target, TimeSpan.FromMinutes(5));
        return messages / clock.Elapsed.TotalSeconds;
    }

    private static async Task<(double Seconds, double ReadingsPerSecond, double PeakWorkingSetMb, double PeakHeapMb, double BaseWorkingSetMb, double BaseHeapMb, int PeakQueue)> BurstAsync(
        int port, int messages, int publishers, string site, StoredCounter stored, IHost host)
    {
        // The publishers' payloads exist before the base is taken: what the burst adds on top of them is ingest's.
        var payloads = Payloads(messages, publishers);
        GC.Collect();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        double baseWs = process.WorkingSet64 / 1048576.0, baseHeap = GC.GetTotalMemory(false) / 1048576.0;
        double peakWs = baseWs, peakHeap = baseHeap;
        var peakQueue = 0;
        var queue = host.Services.GetRequiredService<IngestQueue>();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peakWs = Math.Max(peakWs, process.WorkingSet64 / 1048576.0);
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false) / 1048576.0);
                peakQueue = Math.Max(peakQueue, queue.Count);
                await Task.Delay(20);
            }
        });
        var target = stored.Value + ((long)messages * ReadingsPerMessage);
        var clock = Stopwatch.StartNew();
        await PublishAsync(port, payloads, $"campus/v1/{site}");
        await stored.WaitForAsync(target, TimeSpan.FromMinutes(10));
        var seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        return (seconds, messages * ReadingsPerMessage / seconds, peakWs, peakHeap, baseWs, baseHeap, peakQueue);
    }

    /// <summary>Each publisher's payloads, built before any clock starts (they are the same for every round: the topic differs).</summary>
    private static byte[][][] Payloads(int messages, int publishers) =>
        [.. Enumerable.Range(0, publishers).Select(p => Enumerable.Range(0, messages / publishers).Select(i => Encoding.UTF8.GetBytes(Payload(i + 1, p))).ToArray())];

    /// <summary>The same load for every round: one MQTTnet client per payload list, each awaiting every QoS 1 publish.</summary>
    private static async Task PublishAsync(int port, byte[][][] payloads, string topicPrefix)
    {
        await Task.WhenAll(Enumerable.Range(0, payloads.Length).Select(async p =>
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId($"pub-{Guid.NewGuid():N}"[..20]).WithCleanStart(true).Build());
            var topic = $"{topicPrefix}/gw-{p:00}/telemetry";
            foreach (var payload in payloads[p])
            {
                var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
                if (!result.IsSuccess)
                {
                    throw new InvalidOperationException($"publish refused: {result.ReasonCode}");
                }
            }

            await client.DisconnectAsync();
        }));
    }

    /// <summary>A gateway's message: 50 devices, one reading each, one second apart per seq (so every (device, ts) is new).</summary>
    private static string Payload(long seq, int gateway)
    {
        var ts = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero).AddSeconds(seq);
        var stamp = ts.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var json = new StringBuilder(5200);
        json.Append(CultureInfo.InvariantCulture, $"{{\"seq\":{seq},\"ts\":\"{stamp}\",\"readings\":[");
        for (var d = 0; d < ReadingsPerMessage; d++)
        {
            json.Append(d == 0 ? string.Empty : ",")
                .Append(CultureInfo.InvariantCulture, $"{{\"device\":\"b1-room-{d:000}-g{gateway:00}\",\"metric\":\"temperature\",\"value\":{20 + ((seq + d) % 70 / 10.0)},\"ts\":\"{stamp}\"}}");
        }

        return json.Append("]}").ToString();
    }

    /// <summary>CPU time this process spent since <paramref name="since"/>, per message (publishers, subscriber and ingest all run here).</summary>
    private static double CpuMicrosPerMessage(ref TimeSpan since, int messages)
    {
        var now = Process.GetCurrentProcess().TotalProcessorTime;
        var micros = (now - since).TotalMicroseconds / messages;
        since = now;
        return micros;
    }

    /// <summary>CPU time of the servers this process started (Mosquitto, VictoriaMetrics: its child processes).</summary>
    private static TimeSpan ServerCpu()
    {
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var total = TimeSpan.Zero;
        foreach (var name in new[] { "mosquitto", "victoria-metrics" })
        {
            foreach (var process in Process.GetProcessesByName(name))
            {
                using (process)
                {
                    try
                    {
                        // /proc/PID/stat: "pid (comm) state ppid …"
                        var stat = File.ReadAllText($"/proc/{process.Id}/stat");
                        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                        if (fields[1] == self)
                        {
                            total += process.TotalProcessorTime;
                        }
                    }
                    catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
                    {
                        // Gone meanwhile.
                    }
                }
            }
        }

        return total;
    }

    private static double ServerCpuMicrosPerMessage(ref TimeSpan since, int messages)
    {
        var now = ServerCpu();
        var micros = (now - since).TotalMicroseconds / messages;
        since = now;
        return micros;
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }

    private static string StringArg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>Readings the writer reports stored, through its meter (no polling of the store).</summary>
    private sealed class StoredCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _value;

        public StoredCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == IngestMetrics.MeterName && instrument.Name == "campus.ingest.readings.stored")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _value, value));
            _listener.Start();
        }

        public long Value => Interlocked.Read(ref _value);

        public async Task WaitForAsync(long target, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (Value < target)
            {
                if (deadline.Elapsed > timeout)
                {
                    throw new TimeoutException($"stored {Value} of {target} readings");
                }

                await Task.Delay(2);
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>A store that keeps nothing and counts what it was given (<c>--store discard</c>, for diagnosis).</summary>
    private sealed class DiscardStore : ITimeSeriesStore
    {
        private long _readings;

        public string Kind => "discard";

        public long Readings => Interlocked.Read(ref _readings);

        public Task<StoreWriteResult> WriteAsync(IReadOnlyList<IngestBatch> batches, CancellationToken cancellationToken)
        {
            var readings = batches.Sum(b => b.Readings.Count);
            Interlocked.Add(ref _readings, readings);
            return Task.FromResult(new StoreWriteResult(readings, 0));
        }

        public Task<IReadOnlyList<ReadingBucket>> QueryAsync(HistoryQuery query, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ReadingBucket>>([]);
    }

    /// <summary>This process's allocations and collections, to tell what a round cost the garbage collector.</summary>
    private readonly record struct GcSnapshot(long Allocated, int Gen0, int Gen1, int Gen2, TimeSpan Paused)
    {
        public static GcSnapshot Take() =>
            new(GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());

        public static GcSnapshot operator -(GcSnapshot a, GcSnapshot b) =>
            new(a.Allocated - b.Allocated, a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.Paused - b.Paused);

        public string Describe(int messages) => string.Create(
            CultureInfo.InvariantCulture,
            $"{Allocated / 1024.0 / messages:F1} KiB/msg allocated, collections gen0 {Gen0} / gen1 {Gen1} / gen2 {Gen2}, paused {Paused.TotalMilliseconds:F0} ms");
    }
}
