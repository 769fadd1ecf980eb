using System.Diagnostics;
using System.Net;
using System.Text;
using Campus.IoT.Tests.Common;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Ingest.Tests.Process;

/// <summary>
/// A real <c>campus-ingest</c> process for a test: started with <c>dotnet campus-ingest.dll</c>, killed with SIGKILL, restarted
/// with the same instance id (so the broker resumes its persistent session) and the same data directory.
/// Each test uses its own shared-subscription group, so it never shares the stream with another test's ingest.
/// </summary>
internal sealed class IngestProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly string[] _args;
    private System.Diagnostics.Process? _process;

    /// <param name="extraArgs">More <c>--key=value</c> settings.</param>
    /// <param name="sharedGroup">The shared-subscription group; a new one (this instance alone) when null.</param>
    public IngestProcess(MosquittoBroker broker, string directory, IReadOnlyList<string>? extraArgs = null, string? sharedGroup = null)
    {
        sharedGroup ??= $"g{Guid.NewGuid():N}"[..24];
        DataDir = directory;
        HttpPort = FreePort.Next();
        _args =
        [
            Path.Combine(AppContext.BaseDirectory, "campus-ingest.dll"),
            $"--Campus:Mqtt:Broker={broker.Uri}",
            $"--Campus:InstanceId=t{Guid.NewGuid():N}"[..32],
            $"--Campus:Ingest:SharedGroup={sharedGroup}",
            $"--Campus:DataDir={directory}",
            $"--Urls=http://127.0.0.1:{HttpPort}",
            .. extraArgs ?? [],
        ];
    }

    public string DataDir { get; }

    public int HttpPort { get; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the process and waits until its MQTT subscription is up.</summary>
    public async Task StartAsync()
    {
        _process = System.Diagnostics.Process.Start(new ProcessStartInfo("dotnet", _args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = DataDir,
        }) ?? throw new InvalidOperationException("campus-ingest did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Eventually.True(async () => await HealthAsync() is { } h && h.Contains("\"mqtt\":\"ok\"", StringComparison.Ordinal), $"campus-ingest connected\n{Output}", TimeSpan.FromSeconds(60));
    }

    /// <summary>The body of <c>/healthz</c>, or null while it does not answer.</summary>
    public async Task<string?> HealthAsync()
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/healthz"));
            return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable ? await response.Content.ReadAsStringAsync() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGKILL: no clean stop, nothing flushed, nothing acknowledged that was not already.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Readings of a site in the embedded store (read through its own connection; WAL lets it read while ingest writes).</summary>
    public long CountReadings(string site) => StoredReadings(site).Count;

    /// <summary>Distinct (device, metric, ts) of a site: equal to <see cref="CountReadings"/> when nothing is doubled.</summary>
    public long CountDistinctReadings(string site) => StoredReadings(site).DistinctBy(r => (r.Device, r.Metric, r.Ts)).Count();

    /// <summary>Every reading of a site as stored, decoded from the store's chunks (none before the store has its tables).</summary>
    private List<StoredReading> StoredReadings(string site)
    {
        var file = Path.Combine(DataDir, "readings.db");
        try
        {
            return File.Exists(file) ? SqliteReadingStore.ReadAll(file, site) : [];
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 1)
        {
            return []; // no such table yet
        }
    }

    public long CountSpilled() => Scalar(Path.Combine(DataDir, "ingest.db"), "SELECT count(*) FROM spill");

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Http.Dispose();
    }

    private static long Scalar(string file, string sql)
    {
        if (!File.Exists(file))
        {
            return 0;
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;

        try
        {
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 1)
        {
            return 0; // no such table yet
        }
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
