using System.Diagnostics;
using System.Net;
using System.Text;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Dashboard.Tests.District;

/// <summary>
/// One platform process of the loopback district (<c>dotnet Campus.IoT.Dashboard.dll</c> or <c>dotnet campus-ingest.dll</c>
/// from the test's output folder): its whole output kept (the test reads log lines from it), SIGKILL to kill, started again
/// with the same arguments (same instance id: the broker resumes its persistent sessions).
/// </summary>
internal sealed class DotnetProcess(string name, string dll, string workingDirectory, int httpPort, IReadOnlyList<string> settings) : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    public string Name => name;

    public string WorkingDirectory => workingDirectory;

    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{httpPort}");

    public bool Running => _process is { HasExited: false };

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

    /// <summary>Lines of the output that contain <paramref name="text"/>.</summary>
    public IReadOnlyList<string> Lines(string text) => [.. Output.Split('\n').Where(l => l.Contains(text, StringComparison.Ordinal))];

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        start.ArgumentList.Add($"--Urls={BaseAddress.ToString().TrimEnd('/')}");
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        // Plain console lines, one per entry, so the test can find an event's message.
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true";
        start.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
        start.Environment["Logging__LogLevel__Orleans"] = "Warning";
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.True(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"{name} exited with {_process.ExitCode}:\n{Output}");
                }

                try
                {
                    using var response = await http.GetAsync(new Uri(BaseAddress, "/healthz"));
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException)
                {
                    return false;
                }
            },
            $"{name} healthy",
            TimeSpan.FromSeconds(120));
    }

    /// <summary>SIGKILL: the process dies as in a power cut, nothing flushed, nothing acknowledged that was not already.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
