using System.Buffers;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Benchmarks;

/// <summary>
/// <see cref="PayloadDecoder.DecodeTelemetry"/> (JsonDocument, every field validated, per-reading rejections) against the
/// baseline of source-generated deserialisation of the same bytes with no validation: the ratio is the cost of validation.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
[Config(typeof(ThroughputConfig))]
[Throughput("readings", Parameter = nameof(Readings))]
public class PayloadDecodeBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    // What a school gateway sends: several devices, each with a few metrics, plausible values and millisecond timestamps.
    private static readonly (string Metric, double Base, double Spread)[] Kinds =
    [
        (Metrics.Temperature, 21.5, 6.0),
        (Metrics.Humidity, 45.0, 20.0),
        (Metrics.Battery, 80.0, 20.0),
        (Metrics.Rssi, -70.0, 15.0),
        (Metrics.Voltage, 3.3, 0.3),
    ];

    private byte[] _bytes = [];
    private ReadOnlySequence<byte> _payload;
    private PayloadDecoder _decoder = null!;

    [Params(1, 50, 1000)]
    public int Readings { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var readings = new List<Reading>(Readings);
        for (var i = 0; i < Readings; i++)
        {
            var (metric, baseValue, spread) = Kinds[i % Kinds.Length];
            var device = string.Create(CultureInfo.InvariantCulture, $"b{i / 200 + 1}-room-{i / Kinds.Length % 40 + 101}-s{i / Kinds.Length:D3}");
            var value = Math.Round(baseValue + ((random.NextDouble() - 0.5) * spread), 2);
            readings.Add(new Reading(device, metric, value, Now.AddMilliseconds(-(Readings - i) * 137)));
        }

        var message = new TelemetryMessage(123_456, Now, readings);
        _bytes = JsonSerializer.SerializeToUtf8Bytes(message, TelemetryJsonContext.Default.TelemetryMessage);
        _payload = new ReadOnlySequence<byte>(_bytes);
        Console.WriteLine($"// payload of {Readings} readings: {_bytes.Length} bytes");
        _decoder = new PayloadDecoder(new FakeTimeProvider(Now.AddSeconds(1)));

        // Both sides must produce the same readings, or the comparison means nothing.
        var decoded = _decoder.DecodeTelemetry(_payload);
        var plain = JsonSerializer.Deserialize(_bytes, TelemetryJsonContext.Default.TelemetryMessage);
        if (decoded.Value is null || decoded.ItemRejections.Count != 0 || plain is null || !decoded.Value.Readings.SequenceEqual(plain.Readings) || plain.Readings.Count != Readings)
        {
            throw new InvalidOperationException($"decoder and baseline disagree: {decoded.Reason} {decoded.Detail} rejections {decoded.ItemRejections.Count}");
        }
    }

    [Benchmark(Baseline = true, Description = "Deserialize (source-gen, no validation)")]
    public TelemetryMessage? SourceGeneratedDeserialize() => JsonSerializer.Deserialize(_bytes, TelemetryJsonContext.Default.TelemetryMessage);

    [Benchmark(Description = "PayloadDecoder.DecodeTelemetry")]
    public DecodeResult<TelemetryMessage> DecodeTelemetry() => _decoder.DecodeTelemetry(_payload);
}
