using BenchmarkDotNet.Attributes;
using Campus.IoT.Ingest;
using Campus.IoT.Telemetry;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Benchmarks;

/// <summary>
/// The history queries behind <c>GET /api/readings?step=1m</c> and <c>GET /api/readings</c> (raw): one device's temperature
/// over one hour, in 1-minute buckets (120 readings, 60 buckets) or as its 120 raw readings, on a file holding one day of
/// the school (200 devices x 2880 readings = 576,000 readings), for each layout. The project's store is the baseline of the
/// Ratio column.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
[Config(typeof(ThroughputConfig))]
[Throughput("queries")]
public class SqliteQueryBenchmarks
{
    private static readonly DateTimeOffset From = ReadingData.DayStart.AddHours(12);
    private static readonly DateTimeOffset To = From.AddHours(1);
    /// <summary><c>1m</c>: 1-minute buckets (the project store answers from its minute rollup); <c>raw</c>: the 120 raw readings.</summary>
    [Params("1m", "raw")]
    public string Read { get; set; } = "1m";

    private TimeSpan? Step => Read == "1m" ? TimeSpan.FromMinutes(1) : null;
    private const string Device = "d-042";
    private const int Limit = 10_000;

    private string _dir = string.Empty;
    private SqliteReadingStore? _project;
    private LayoutReadingStore? _local;

    [GlobalSetup(Target = nameof(ProjectStore))]
    public void SetupProject()
    {
        var path = Load(null);
        _project = new SqliteReadingStore(path);
        Check(_project.Query(Device, Metrics.Temperature, ReadingData.Site, From, To, Step, Limit));
        var plan = _project.ExplainQuery(Device, Metrics.Temperature, ReadingData.Site, From, To, Step);
        Console.WriteLine($"// plan project store: {string.Join("; ", plan)}");
    }

    [GlobalSetup(Target = nameof(DeviceFirstKeyLocal))]
    public void SetupDeviceFirst() => SetupLocal(ReadingsLayout.DeviceFirstKey);

    [GlobalSetup(Target = nameof(TsFirstKey))]
    public void SetupTsFirst() => SetupLocal(ReadingsLayout.TsFirstKey);

    [GlobalSetup(Target = nameof(RowidUniqueIndex))]
    public void SetupRowid() => SetupLocal(ReadingsLayout.RowidUniqueIndex);

    [Benchmark(Baseline = true, Description = "project store: minute chunks + PK(minute,series), rollups")]
    public IReadOnlyList<ReadingBucket> ProjectStore() => _project!.Query(Device, Metrics.Temperature, ReadingData.Site, From, To, Step, Limit);

    [Benchmark(Description = "previous layout: PK(device,metric,ts,site)")]
    public IReadOnlyList<ReadingBucket> DeviceFirstKeyLocal() => QueryLocal();

    [Benchmark(Description = "PK(ts,device,metric,site)")]
    public IReadOnlyList<ReadingBucket> TsFirstKey() => QueryLocal();

    [Benchmark(Description = "rowid + UNIQUE(device,metric,ts,site)")]
    public IReadOnlyList<ReadingBucket> RowidUniqueIndex() => QueryLocal();

    [GlobalCleanup]
    public void Cleanup()
    {
        _project?.Dispose();
        _local?.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private IReadOnlyList<ReadingBucket> QueryLocal() => _local!.Query(Device, Metrics.Temperature, ReadingData.Site, From, To, Step, Limit);

    private void SetupLocal(ReadingsLayout layout)
    {
        _local = new LayoutReadingStore(Load(layout), layout);
        Check(QueryLocal());
        Console.WriteLine($"// plan {layout}: {_local.ExplainQuery()}");
    }

    private string Load(ReadingsLayout? layout)
    {
        _dir = Directory.CreateTempSubdirectory("campus-bench-query-").FullName;
        var path = Path.Combine(_dir, "readings.db");
        SqliteFixture.Load(path, layout, 0, ReadingData.RoundsPerDay);
        Console.WriteLine($"// {layout?.ToString() ?? "project store"}: {new FileInfo(path).Length / 1048576.0:0.0} MiB for one day");
        return path;
    }

    private void Check(IReadOnlyList<ReadingBucket> buckets)
    {
        var (expected, each) = Read == "1m" ? (60, 2) : (120, 1);
        if (buckets.Count != expected || buckets.Any(b => b.Count != each) || buckets[0].Ts != From)
        {
            throw new InvalidOperationException($"history query returned {buckets.Count} buckets, expected {expected} of {each} readings");
        }
    }
}
