using BenchmarkDotNet.Attributes;
using Campus.IoT.Ingest;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Benchmarks;

/// <summary>
/// Ingest writes: 20 <c>Write</c> calls of 500 messages x 10 readings (100,000 rows: 200 devices x 500 rounds at 30 s,
/// rising timestamps) into a fresh database file per iteration, either empty or a copy of a file already holding one day of
/// the same school (576,000 rows). The project's <see cref="SqliteReadingStore"/> (series table, a chunk per series and
/// minute under PRIMARY KEY (minute, series), minute/hour rollups kept in the same transaction) is the baseline of the Ratio column; the
/// previous project layout (text key (device, metric, ts, site), a row at a time, no rollups), a ts-first text key and a
/// rowid table with a unique index are the alternatives (all in <see cref="LayoutReadingStore"/>).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
[Config(typeof(ThroughputConfig))]
[Throughput("rows", Count = Writes * ReadingData.RowsPerWrite)]
public class SqliteWriteBenchmarks
{
    public const int Writes = 20;
    public const int Rounds = Writes * ReadingData.RoundsPerWrite;

    private List<IngestBatch[]> _writes = [];
    private string _templateDir = string.Empty;
    private string? _template;
    private string _dir = string.Empty;
    private SqliteReadingStore? _project;
    private LayoutReadingStore? _local;
    private int _written;

    /// <summary>What the file holds before the timed writes: nothing, or one day of the school's readings.</summary>
    [Params("empty", "1-day")]
    public string Table { get; set; } = "empty";

    private int FirstRound => Table == "empty" ? 0 : ReadingData.RoundsPerDay;

    [GlobalSetup(Target = nameof(ProjectStore))]
    public void SetupProject() => GlobalSetup(null);

    [GlobalSetup(Target = nameof(DeviceFirstKeyLocal))]
    public void SetupDeviceFirst() => GlobalSetup(ReadingsLayout.DeviceFirstKey);

    [GlobalSetup(Target = nameof(TsFirstKey))]
    public void SetupTsFirst() => GlobalSetup(ReadingsLayout.TsFirstKey);

    [GlobalSetup(Target = nameof(RowidUniqueIndex))]
    public void SetupRowid() => GlobalSetup(ReadingsLayout.RowidUniqueIndex);

    [IterationSetup(Target = nameof(ProjectStore))]
    public void IterationProject() => _project = new SqliteReadingStore(FreshFile());

    [IterationSetup(Target = nameof(DeviceFirstKeyLocal))]
    public void IterationDeviceFirst() => _local = new LayoutReadingStore(FreshFile(), ReadingsLayout.DeviceFirstKey);

    [IterationSetup(Target = nameof(TsFirstKey))]
    public void IterationTsFirst() => _local = new LayoutReadingStore(FreshFile(), ReadingsLayout.TsFirstKey);

    [IterationSetup(Target = nameof(RowidUniqueIndex))]
    public void IterationRowid() => _local = new LayoutReadingStore(FreshFile(), ReadingsLayout.RowidUniqueIndex);

    [Benchmark(Baseline = true, Description = "project store: minute chunks + PK(minute,series), rollups")]
    public int ProjectStore()
    {
        var rows = 0;
        foreach (var write in _writes)
        {
            rows += _project!.Write(write).Readings;
        }

        return _written = rows;
    }

    [Benchmark(Description = "previous layout: PK(device,metric,ts,site)")]
    public int DeviceFirstKeyLocal() => WriteLocal();

    [Benchmark(Description = "PK(ts,device,metric,site)")]
    public int TsFirstKey() => WriteLocal();

    [Benchmark(Description = "rowid + UNIQUE(device,metric,ts,site)")]
    public int RowidUniqueIndex() => WriteLocal();

    [IterationCleanup]
    public void IterationCleanup()
    {
        _project?.Dispose();
        _local?.Dispose();
        _project = null;
        _local = null;
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        if (_written != Writes * ReadingData.RowsPerWrite)
        {
            throw new InvalidOperationException($"{_written} rows inserted, expected {Writes * ReadingData.RowsPerWrite}");
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup() => Directory.Delete(_templateDir, recursive: true);

    private void GlobalSetup(ReadingsLayout? layout)
    {
        _writes = ReadingData.Writes(FirstRound, Rounds);
        _templateDir = Directory.CreateTempSubdirectory("campus-bench-template-").FullName;
        if (FirstRound > 0)
        {
            _template = Path.Combine(_templateDir, "readings.db");
            SqliteFixture.Load(_template, layout, 0, ReadingData.RoundsPerDay);
            Console.WriteLine($"// template {layout?.ToString() ?? "project store"}: {new FileInfo(_template).Length / 1048576.0:0.0} MiB for one day");
        }

        // Not timed: the I/O behind one Write of 5000 rows in the local layouts (the probe is LayoutReadingStore's).
        var scratch = FreshFile();
        if (layout is not null)
        {
            using var probe = new LayoutReadingStore(scratch, layout.Value);
            Console.WriteLine($"// WAL pages (4 KiB) written by one Write of {ReadingData.RowsPerWrite} rows, {layout}, table {Table}: {probe.WalPagesOfOneWrite(_writes[0])}");
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private string FreshFile()
    {
        _written = 0;
        _dir = Directory.CreateTempSubdirectory("campus-bench-write-").FullName;
        var path = Path.Combine(_dir, "readings.db");
        if (_template is not null)
        {
            File.Copy(_template, path);
        }

        return path;
    }

    private int WriteLocal()
    {
        var rows = 0;
        foreach (var write in _writes)
        {
            rows += _local!.Write(write).Readings;
        }

        return _written = rows;
    }
}
