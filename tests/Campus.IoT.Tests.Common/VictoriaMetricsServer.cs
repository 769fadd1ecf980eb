using System.Globalization;
using System.Text.Json;
using Xunit;

namespace Campus.IoT.Tests.Common;

/// <summary>
/// A real VictoriaMetrics for a test class: it accepts InfluxDB 2.x line-protocol writes on <c>/api/v2/write</c>, which is how
/// the InfluxDB 2.x store is tested on a machine where no InfluxDB 2.x can be installed. The test script starts one and
/// names it in <c>CAMPUS_TEST_VICTORIAMETRICS</c> (http://127.0.0.1:PORT); without that, this fixture starts its own on a
/// free loopback port with a temporary data directory, deduplicating samples of the same series and millisecond as InfluxDB
/// does (<c>-dedup.minScrapeInterval=1ms</c>; the script's server runs with it too). Tests sharing a server keep apart by writing distinct series
/// (a site of their own). A missing binary is a test failure naming the package.
/// </summary>
public sealed class VictoriaMetricsServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "CAMPUS_TEST_VICTORIAMETRICS";
    private static readonly string[] Binaries = ["/usr/bin/victoria-metrics", "/usr/local/bin/victoria-metrics"];

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private ServerProcess? _process;
    private string? _directory;

    public int Port { get; private set; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>More command-line flags for a server this fixture starts itself (e.g. <c>-httpAuth.username=…</c>).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>True when this fixture started the server (and so may stop and restart it).</summary>
    public bool Owned => _directory is not null;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external) && ExtraArguments.Count == 0)
        {
            Port = new Uri(external).Port;
            await WaitHealthyAsync();
            return;
        }

        await StartAsync();
    }

    /// <summary>Starts (or restarts, on the same port and data directory) a server this fixture owns.</summary>
    public async Task StartAsync()
    {
        var binary = Binaries.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("victoria-metrics is not installed: run scripts/test.sh, or `apt-get install -y victoria-metrics`");
        if (_process is { HasExited: false })
        {
            return;
        }

        _directory ??= Directory.CreateTempSubdirectory("campus-vm-").FullName;
        if (Port == 0)
        {
            Port = FreePort.Next();
        }

        _process?.Dispose();
        _process = ServerProcess.Start(binary, [
            $"-storageDataPath={_directory}",
            $"-httpListenAddr=127.0.0.1:{Port}",
            "-search.latencyOffset=0s",
            // InfluxDB replaces a point written again (same series and time); VictoriaMetrics keeps both samples unless it
            // deduplicates, so a replayed batch would count twice. One sample per millisecond is InfluxDB's behaviour.
            "-dedup.minScrapeInterval=1ms",
            "-loggerLevel=WARN",
            .. ExtraArguments,
        ]);
        await WaitHealthyAsync();
    }

    /// <summary>Stops a server this fixture owns (SIGTERM: it flushes what it holds), keeping its port and data for <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (!Owned)
        {
            throw new InvalidOperationException($"this VictoriaMetrics was started by the test script ({EnvironmentVariable}); only an owned one can be stopped");
        }

        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(20));
        }
    }

    /// <summary>
    /// Flushes what the server holds in memory (<c>/internal/force_flush</c>) and exports every sample of the matching series
    /// (<c>/api/v1/export</c>, all time). Series are named <c>measurement_field</c>, tags become labels.
    /// </summary>
    public async Task<IReadOnlyList<ExportedSeries>> ExportAsync(string match)
    {
        using (var flush = await _http.GetAsync(new Uri(Url, "internal/force_flush")))
        {
            flush.EnsureSuccessStatusCode();
        }

        using var form = new FormUrlEncodedContent([new("match[]", match), new("start", "0")]);
        using var response = await _http.PostAsync(new Uri(Url, "api/v1/export"), form);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"VictoriaMetrics export failed with {(int)response.StatusCode}: {body}");
        }

        var series = new List<ExportedSeries>();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var labels = root.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal);
            var values = root.GetProperty("values").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String
                ? double.Parse(v.GetString()!, CultureInfo.InvariantCulture)
                : v.GetDouble()).ToList();
            var timestamps = root.GetProperty("timestamps").EnumerateArray().Select(t => t.GetInt64()).ToList();
            series.Add(new ExportedSeries(labels, values, timestamps));
        }

        return series;
    }

    public async Task DisposeAsync()
    {
        _process?.Dispose();
        _process = null;
        _http.Dispose();
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the temp directory is cleaned by the OS.
            }
        }

        await Task.CompletedTask;
    }

    private Task WaitHealthyAsync() => Eventually.True(
        async () =>
        {
            if (_process is { HasExited: true } process)
            {
                throw new InvalidOperationException($"victoria-metrics exited with code {process.ExitCode}: {process.OutputTail}");
            }

            try
            {
                using var response = await _http.GetAsync(new Uri(Url, "health"));
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        },
        $"victoria-metrics healthy on {Url}");

    /// <summary>One exported series: its labels (<c>__name__</c> = measurement_field, plus the tags) and its samples.</summary>
    public sealed record ExportedSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<double> Values, IReadOnlyList<long> Timestamps)
    {
        public string Name => Labels["__name__"];
    }
}
