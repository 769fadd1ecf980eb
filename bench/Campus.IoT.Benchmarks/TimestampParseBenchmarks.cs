using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Benchmarks;

/// <summary>
/// Where decoding time goes: <see cref="Timestamps.TryParse"/> (used by both <see cref="PayloadDecoder"/> and the
/// source-generated <c>UtcMillisecondsConverter</c>, once per reading) against the baseline of System.Text.Json's own
/// ISO 8601 parser reading the same UTF-8 token (<see cref="Utf8JsonReader.TryGetDateTimeOffset"/>, which takes RFC 3339);
/// and the project's UTF-8 parser on the token's bytes, which the decoder uses since the ingest CPU work (no string).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
[Config(typeof(ThroughputConfig))]
[Throughput("timestamps")]
public class TimestampParseBenchmarks
{
    private const string Text = "2026-11-28T11:59:58.863Z";
    private static readonly byte[] Token = Encoding.UTF8.GetBytes($"\"{Text}\"");

    [Benchmark(Baseline = true, Description = "Utf8JsonReader.TryGetDateTimeOffset")]
    public DateTimeOffset Utf8Reader()
    {
        var reader = new Utf8JsonReader(Token);
        reader.Read();
        return reader.TryGetDateTimeOffset(out var value) ? value.ToUniversalTime() : default;
    }

    [Benchmark(Description = "Timestamps.TryParse(GetString())")]
    public DateTimeOffset ProjectParser()
    {
        var reader = new Utf8JsonReader(Token);
        reader.Read();
        return Timestamps.TryParse(reader.GetString(), out var value) ? value : default;
    }

    [Benchmark(Description = "Timestamps.TryParse(UTF-8 bytes)")]
    public DateTimeOffset ProjectUtf8Parser()
    {
        var reader = new Utf8JsonReader(Token);
        reader.Read();
        return Timestamps.TryParse(reader.ValueSpan, out var value) ? value : default;
    }
}
