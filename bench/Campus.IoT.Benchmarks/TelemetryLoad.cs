using System.Diagnostics;
using System.Globalization;
using System.Text.Unicode;
using Campus.IoT.Telemetry;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Campus.IoT.Benchmarks;

/// <summary>
/// Paced background telemetry for the latency harness: <c>publishers</c> MQTTnet 5 clients publish contract telemetry
/// (<c>campus/v1/{site}/{gateway}/telemetry</c>, QoS 1, <c>batch</c> readings of an ordinary room temperature per message,
/// stamped now) for <c>gateways</c> gateways of <c>batch</c> devices each, at <c>readingsPerSecond / batch</c> messages a
/// second in total. Pacing is a token bucket on one <see cref="Stopwatch"/>: at every tick of a 1 ms
/// <see cref="PeriodicTimer"/> each publisher sends what is due since the start (so late ticks are caught up, never lost,
/// and the rate does not drift); PUBACKs are awaited off the pacing loop, with at most <see cref="MaxInFlight"/> unacknowledged
/// per client. When that bound stops a publisher the shortfall is counted (<see cref="LoadCounts.Behind"/>): the achieved
/// rate is whatever was acknowledged, reported as such.
/// </summary>
internal sealed class TelemetryLoad : IAsyncDisposable
{
    public const int MaxInFlight = 512;
    private static readonly DateTime UnixEpoch = DateTime.UnixEpoch;

    private readonly int _port;
    private readonly double _messagesPerSecond;
    private readonly int _batch;
    private readonly int _publishers;
    private readonly int _gateways;
    private readonly string _site;
    private readonly List<IMqttClient> _clients = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private long _published;
    private long _acknowledged;
    private long _failed;
    private long _maxBehind;
    private long _started;

    public TelemetryLoad(int port, double readingsPerSecond, int batch, int publishers, int gateways, string site = "load")
    {
        _port = port;
        _batch = batch;
        _messagesPerSecond = readingsPerSecond / batch;
        _publishers = Math.Max(1, publishers);
        _gateways = gateways > 0 ? gateways : Math.Max(_publishers, (int)Math.Round(_messagesPerSecond));
        _site = site;
    }

    public int Gateways => _gateways;

    public int Devices => _gateways * _batch;

    public double MessagesPerSecond => _messagesPerSecond;

    public async Task StartAsync()
    {
        for (var p = 0; p < _publishers; p++)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", _port)
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId(string.Create(CultureInfo.InvariantCulture, $"load-{Environment.ProcessId}-{p}"))
                .WithCleanStart(true)
                .Build());
            _clients.Add(client);
        }

        _started = Stopwatch.GetTimestamp();
        for (var p = 0; p < _publishers; p++)
        {
            var client = _clients[p];
            int[] mine = [.. Enumerable.Range(0, _gateways).Where(g => g % _publishers == p)];
            var share = _messagesPerSecond * mine.Length / _gateways;
            _loops.Add(Task.Run(() => PublishLoopAsync(client, mine, share, _stop.Token)));
        }
    }

    /// <summary>Counters so far (published, acknowledged, failed, the largest shortfall against the schedule, seconds since start).</summary>
    public LoadCounts Counts()
    {
        if (_loops.FirstOrDefault(t => t.IsFaulted) is { } failed)
        {
            throw new InvalidOperationException("a background publisher failed", failed.Exception);
        }

        return new(
        Interlocked.Read(ref _published),
        Interlocked.Read(ref _acknowledged),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _maxBehind),
        _started == 0 ? 0 : Stopwatch.GetElapsedTime(_started).TotalSeconds);
    }

    /// <summary>Stops publishing and waits for the PUBACKs still outstanding.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        foreach (var client in _clients)
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _stop.Dispose();
    }

    private async Task PublishLoopAsync(IMqttClient client, int[] gateways, double messagesPerSecond, CancellationToken stop)
    {
        var seqs = new long[gateways.Length];
        var lastMs = new long[gateways.Length];
        var topics = gateways.Select(g => string.Create(CultureInfo.InvariantCulture, $"{Topic.Root}/{_site}/g{g:0000}/telemetry")).ToArray();
        var devices = gateways.Select(g => Enumerable.Range(0, _batch).Select(d => System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"t{g:0000}-{d:000}"))).ToArray()).ToArray();
        using var inFlight = new SemaphoreSlim(MaxInFlight, MaxInFlight);
        var outstanding = new List<Task>();
        long sent = 0;
        var next = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var due = (long)(Stopwatch.GetElapsedTime(_started).TotalSeconds * messagesPerSecond);
                while (sent < due && inFlight.Wait(0, CancellationToken.None))
                {
                    var i = next;
                    next = (next + 1) % gateways.Length;

                    // Gateways stamp in milliseconds; a gateway's next message is at least a millisecond later, so every
                    // (device, ts) is new to the store's idempotent key.
                    var nowMs = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
                    var ms = lastMs[i] = Math.Max(nowMs, lastMs[i] + 1);
                    var payload = Payload(++seqs[i], UnixEpoch.AddMilliseconds(ms), gateways[i], devices[i]);
                    var message = new MqttApplicationMessageBuilder().WithTopic(topics[i]).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                    sent++;
                    Interlocked.Increment(ref _published);
                    outstanding.Add(PublishOneAsync(client, message, inFlight));
                }

                var behind = due - sent;
                if (behind > Interlocked.Read(ref _maxBehind))
                {
                    Interlocked.Exchange(ref _maxBehind, behind);
                }

                if (outstanding.Count > 4 * MaxInFlight)
                {
                    outstanding.RemoveAll(t => t.IsCompleted);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped.
        }

        await Task.WhenAll(outstanding);
    }

    private async Task PublishOneAsync(IMqttClient client, MqttApplicationMessage message, SemaphoreSlim inFlight)
    {
        try
        {
            var result = await client.PublishAsync(message);
            Interlocked.Increment(ref result.IsSuccess ? ref _acknowledged : ref _failed);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            inFlight.Release();
        }
    }

    /// <summary>
    /// One gateway's message: <c>batch</c> devices, one temperature reading each at the message's time, an ordinary room
    /// temperature (21.0–21.6 °C, varying a little so no sensor looks stuck and nothing rises).
    /// </summary>
    private byte[] Payload(long seq, DateTime ts, int gateway, byte[][] devices)
    {
        Span<byte> stamp = stackalloc byte[32];
        ts.TryFormat(stamp, out var stampLength, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        stamp = stamp[..stampLength];
        var buffer = new byte[64 + stampLength + (_batch * (96 + devices[0].Length + stampLength))];
        var span = buffer.AsSpan();
        var pos = 0;
        var invariant = CultureInfo.InvariantCulture;
        Written(Utf8.TryWrite(span[pos..], invariant, $"{{\"seq\":{seq},\"ts\":\"", out var n), n, ref pos);
        Append(span, ref pos, stamp);
        Append(span, ref pos, "\",\"readings\":["u8);
        for (var d = 0; d < _batch; d++)
        {
            var value = 21.0 + (((gateway * 7) + (d * 13) + seq) % 7 / 10.0);
            Append(span, ref pos, d == 0 ? "{\"device\":\""u8 : ",{\"device\":\""u8);
            Append(span, ref pos, devices[d]);
            Written(Utf8.TryWrite(span[pos..], invariant, $"\",\"metric\":\"temperature\",\"value\":{value:0.0},\"ts\":\"", out n), n, ref pos);
            Append(span, ref pos, stamp);
            Append(span, ref pos, "\"}"u8);
        }

        Append(span, ref pos, "]}"u8);
        return buffer[..pos];

        static void Written(bool ok, int count, ref int pos) =>
            pos += ok ? count : throw new InvalidOperationException("payload buffer too small");

        static void Append(Span<byte> span, ref int pos, ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(span[pos..]);
            pos += bytes.Length;
        }
    }
}

/// <summary>Background publishing counters at one moment.</summary>
internal readonly record struct LoadCounts(long Published, long Acknowledged, long Failed, long MaxBehind, double Seconds);

/// <summary>
/// The background load in a process of its own (this executable's <c>load</c> mode), as real gateways are: its publishing
/// shares the machine's cores with the host but not the host's thread pool or GC. A line protocol on stdin/stdout:
/// the child prints <c>ready</c> when connected; <c>start</c>, <c>counts</c> and <c>stop</c> are answered with a counts line.
/// </summary>
internal sealed class ChildProcessLoad : IAsyncDisposable
{
    private readonly Process _process;

    private ChildProcessLoad(Process process) => _process = process;

    public int ProcessId => _process.Id;

    public static async Task<ChildProcessLoad> StartAsync(int port, double readingsPerSecond, int batch, int publishers, int gateways)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var info = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(ChildProcessLoad).Assembly.Location);
        }

        foreach (var arg in new[] { "load", "--port", port.ToString(CultureInfo.InvariantCulture), "--rps", readingsPerSecond.ToString(CultureInfo.InvariantCulture), "--batch", batch.ToString(CultureInfo.InvariantCulture), "--publishers", publishers.ToString(CultureInfo.InvariantCulture), "--gateways", gateways.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the load process");
        var load = new ChildProcessLoad(process);
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return line == "ready" ? load : throw new InvalidOperationException($"load process said '{line}'");
    }

    public Task<LoadCounts> StartPublishingAsync() => AskAsync("start");

    public Task<LoadCounts> CountsAsync() => AskAsync("counts");

    public async Task<LoadCounts> StopAsync()
    {
        var counts = await AskAsync("stop");
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return counts;
    }

    /// <summary>CPU time the load process has used so far.</summary>
    public TimeSpan Cpu()
    {
        _process.Refresh();
        return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task<LoadCounts> AskAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) ?? throw new InvalidOperationException("load process ended");
        var f = line.Split(' ');
        return new LoadCounts(
            long.Parse(f[0], CultureInfo.InvariantCulture),
            long.Parse(f[1], CultureInfo.InvariantCulture),
            long.Parse(f[2], CultureInfo.InvariantCulture),
            long.Parse(f[3], CultureInfo.InvariantCulture),
            double.Parse(f[4], CultureInfo.InvariantCulture));
    }

    /// <summary>The child's side: <c>load --port P --rps R --batch B --publishers N --gateways G</c>.</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        string Arg(string name) => args[Array.IndexOf(args, name) + 1];
        await using var load = new TelemetryLoad(
            int.Parse(Arg("--port"), CultureInfo.InvariantCulture),
            double.Parse(Arg("--rps"), CultureInfo.InvariantCulture),
            int.Parse(Arg("--batch"), CultureInfo.InvariantCulture),
            int.Parse(Arg("--publishers"), CultureInfo.InvariantCulture),
            int.Parse(Arg("--gateways"), CultureInfo.InvariantCulture));
        var started = false;
        Console.WriteLine("ready");
        while (Console.ReadLine() is { } command)
        {
            if (command == "start" && !started)
            {
                await load.StartAsync();
                started = true;
            }
            else if (command == "stop")
            {
                if (started)
                {
                    await load.StopAsync();
                }

                Print(load.Counts());
                return 0;
            }

            Print(load.Counts());
        }

        return 0;

        static void Print(LoadCounts c) =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Published} {c.Acknowledged} {c.Failed} {c.MaxBehind} {c.Seconds:R}"));
    }
}
