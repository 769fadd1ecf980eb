using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Campus.IoT.Alerting;

namespace Campus.IoT.Benchmarks;

/// <summary>
/// <c>latency --breakdown</c>: where an alarm's time goes inside the host. A decorator around the platform's
/// <see cref="IAlarmNotifier"/> stamps when the push starts (the transition is stored by then) and when the hub's send
/// returns; a <see cref="MeterListener"/> on <c>campus.alarm.latency</c> (recorded right after the push, as receipt → pushed)
/// gives back the moment the alerting consumer received the message. With the harness's own publish and client-receipt
/// stamps that splits each sample into: broker to alerting, alerting (decode, engine, store), hub send, hub to client.
/// Alarms are processed one at a time, so the histogram's record belongs to the alarm last pushed.
/// </summary>
internal sealed class AlarmStages : IDisposable
{
    private readonly ConcurrentDictionary<string, Stamps> _byDevice = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();
    private volatile Stamps? _last;

    public AlarmStages()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AlertingMetrics.MeterName && instrument.Name == "campus.alarm.latency")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, _, _) =>
        {
            var now = Stopwatch.GetTimestamp();
            if (_last is { } last)
            {
                last.Received = now - (long)(seconds * Stopwatch.Frequency);
            }
        });
        _listener.Start();
    }

    public IAlarmNotifier Wrap(IAlarmNotifier inner) => new Notifier(this, inner);

    /// <summary>
    /// Probes the disk the stores are on while the samples run: a 4 KiB write and an fsync every 20 ms (what one small
    /// SQLite commit with <c>synchronous=FULL</c> costs at least), timed. Returns the durations in milliseconds when stopped.
    /// </summary>
    public static (Action Stop, Task<double[]> Durations) ProbeFsync(string directory)
    {
        var stop = new CancellationTokenSource();
        var task = Task.Run(async () =>
        {
            var durations = new List<double>();
            var path = Path.Combine(directory, "fsync-probe");
            using (var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write))
            {
                var block = new byte[4096];
                long offset = 0;
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
                try
                {
                    while (await timer.WaitForNextTickAsync(stop.Token))
                    {
                        var start = Stopwatch.GetTimestamp();
                        RandomAccess.Write(handle, block, offset);
                        RandomAccess.FlushToDisk(handle);
                        durations.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        offset = (offset + block.Length) % (1 << 20);
                    }
                }
                catch (OperationCanceledException)
                {
                    // Stopped.
                }
            }

            File.Delete(path);
            stop.Dispose();
            return durations.ToArray();
        });
        return (() => stop.Cancel(), task);
    }

    public Stamps? Of(string device) => _byDevice.TryGetValue(device, out var stamps) ? stamps : null;

    public void Dispose() => _listener.Dispose();

    /// <summary>Stopwatch timestamps of one alarm inside the host.</summary>
    internal sealed class Stamps
    {
        public long Received { get; set; }

        public long PushStart { get; set; }

        public long PushEnd { get; set; }
    }

    private sealed class Notifier(AlarmStages owner, IAlarmNotifier inner) : IAlarmNotifier
    {
        public async Task AlarmChangedAsync(Alarm alarm, CancellationToken cancellationToken)
        {
            var stamps = new Stamps { PushStart = Stopwatch.GetTimestamp() };
            if (alarm.Device is { } device)
            {
                owner._byDevice[device] = stamps;
            }

            await inner.AlarmChangedAsync(alarm, cancellationToken);
            stamps.PushEnd = Stopwatch.GetTimestamp();
            owner._last = stamps;
        }
    }
}
