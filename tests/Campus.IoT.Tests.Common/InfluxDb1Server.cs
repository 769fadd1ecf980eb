using System.Text.Json;
using Xunit;

namespace Campus.IoT.Tests.Common;

/// <summary>
/// A real InfluxDB 1.x (1.6.7 from Debian's <c>influxdb</c> package) for a test class: <c>/write</c> and InfluxQL
/// <c>/query</c>. The test script starts one and names it in <c>CAMPUS_TEST_INFLUXDB1</c> (http://127.0.0.1:PORT); without
/// that, this fixture writes a config with temporary meta/data/wal directories and free loopback ports (HTTP and the RPC
/// bind address) and runs <c>influxd run -config FILE</c>. Each fixture instance creates a database of its own
/// (<see cref="Database"/>), so parallel test classes sharing a server never collide; it is dropped again at the end.
/// A missing binary is a test failure naming the package.
/// </summary>
public sealed class InfluxDb1Server : IAsyncLifetime
{
    public const string EnvironmentVariable = "CAMPUS_TEST_INFLUXDB1";
    private static readonly string[] Binaries = ["/usr/bin/influxd", "/usr/local/bin/influxd"];

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private ServerProcess? _process;
    private string? _directory;

    public int Port { get; private set; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>This fixture's own database, created at start.</summary>
    public string Database { get; } = $"campus_test_{Guid.NewGuid():N}"[..24];

    public bool Owned => _directory is not null;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            Port = new Uri(external).Port;
            await WaitReadyAsync();
        }
        else
        {
            await StartOwnAsync();
        }

        await ExecuteAsync($"CREATE DATABASE \"{Database}\"");
    }

    /// <summary>Runs an InfluxQL statement (POST <c>/query</c>, <c>epoch=ms</c>) and returns the JSON; a server error throws.</summary>
    public async Task<JsonElement> ExecuteAsync(string influxQl, string? database = null)
    {
        var fields = new List<KeyValuePair<string, string>> { new("q", influxQl), new("epoch", "ms") };
        if (database is not null)
        {
            fields.Add(new("db", database));
        }

        using var form = new FormUrlEncodedContent(fields);
        using var response = await _http.PostAsync(new Uri(Url, "query"), form);
        var body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement.Clone();
        if (!response.IsSuccessStatusCode || root.TryGetProperty("error", out _)
            || root.GetProperty("results").EnumerateArray().Any(r => r.TryGetProperty("error", out _)))
        {
            throw new InvalidOperationException($"InfluxQL `{influxQl}` failed with {(int)response.StatusCode}: {body}");
        }

        return root;
    }

    /// <summary>The rows of the first series a SELECT returns in this fixture's database (empty when none), keyed by column.</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>> SelectAsync(string influxQl)
    {
        var root = await ExecuteAsync(influxQl, Database);
        var result = root.GetProperty("results")[0];
        if (!result.TryGetProperty("series", out var series))
        {
            return [];
        }

        var first = series[0];
        var columns = first.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList();
        return first.GetProperty("values").EnumerateArray()
            .Select(row => (IReadOnlyDictionary<string, JsonElement>)columns.Select((c, i) => (c, v: row[i])).ToDictionary(p => p.c, p => p.v, StringComparer.Ordinal))
            .ToList();
    }

    public async Task DisposeAsync()
    {
        if (_directory is null && Port != 0)
        {
            try
            {
                await ExecuteAsync($"DROP DATABASE \"{Database}\"");
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException)
            {
                // Best effort: the script's server and its data go away with the run.
            }
        }

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
    }

    private async Task StartOwnAsync()
    {
        var binary = Binaries.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("influxd is not installed: run scripts/test.sh, or `apt-get install -y influxdb`");
        _directory = Directory.CreateTempSubdirectory("campus-influxdb1-").FullName;
        Port = FreePort.Next();
        var rpcPort = FreePort.Next();
        var config = Path.Combine(_directory, "influxdb.conf");
        await File.WriteAllTextAsync(config, $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{rpcPort}"

            [meta]
              dir = "{_directory}/meta"

            [data]
              dir = "{_directory}/data"
              wal-dir = "{_directory}/wal"
              query-log-enabled = false

            [monitor]
              store-enabled = false

            [http]
              bind-address = "127.0.0.1:{Port}"
              log-enabled = false

            [logging]
              level = "warn"
            """);
        _process = ServerProcess.Start(binary, ["run", "-config", config]);
        await WaitReadyAsync();
    }

    private Task WaitReadyAsync() => Eventually.True(
        async () =>
        {
            if (_process is { HasExited: true } process)
            {
                throw new InvalidOperationException($"influxd exited with code {process.ExitCode}: {process.OutputTail}");
            }

            try
            {
                using var response = await _http.GetAsync(new Uri(Url, "ping"));
                return response.StatusCode == System.Net.HttpStatusCode.NoContent;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        },
        $"influxd answering /ping on {Url}");
}
