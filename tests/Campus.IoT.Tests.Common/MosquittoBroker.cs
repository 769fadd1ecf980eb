using System.Diagnostics;
using System.Net.Sockets;
using Xunit;

namespace Campus.IoT.Tests.Common;

/// <summary>
/// A real Mosquitto broker for a test class. The README's test command starts one and names it in
/// <c>CAMPUS_TEST_MOSQUITTO</c> (mqtt://127.0.0.1:PORT); without that, this fixture starts its own from PATH on a free
/// loopback port with a temporary persistence directory. A missing mosquitto is a test failure with the install command.
/// </summary>
public sealed class MosquittoBroker : IAsyncLifetime
{
    public const string EnvironmentVariable = "CAMPUS_TEST_MOSQUITTO";

    private Process? _process;
    private string? _directory;

    public string Host { get; private set; } = "127.0.0.1";

    public int Port { get; private set; }

    public string Uri => $"mqtt://{Host}:{Port}";

    /// <summary>More mosquitto.conf lines for a broker this fixture starts itself (extra listeners, TLS, passwords).</summary>
    public string ExtraConfig { get; init; } = string.Empty;

    /// <summary>The fixture's temporary directory (certificates, password files go here).</summary>
    public string Directory => _directory ??= System.IO.Directory.CreateTempSubdirectory("campus-mosquitto-").FullName;

    /// <summary>The process id of the broker this fixture started (for SIGHUP reloads), or null.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>True when this fixture started the broker (and so may stop and restart it).</summary>
    public bool Owned => _process is not null;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            var uri = new Uri(external);
            Host = uri.Host;
            Port = uri.Port;
            await WaitListeningAsync();
            return;
        }

        await StartOwnAsync();
    }

    public async Task StartOwnAsync()
    {
        var binary = new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("mosquitto is not installed: run the README's test command, or `apt-get install -y mosquitto`");
        var directory = Directory;
        if (Port == 0)
        {
            Port = FreePort.Next();
        }

        var config = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"""
            per_listener_settings {(ExtraConfig.Length > 0 ? "true" : "false")}
            persistence true
            max_queued_messages 1000000
            persistence_location {directory}/
            log_dest stdout
            {(Environment.UserName == "root" ? "user root" : string.Empty)}
            listener {Port} 127.0.0.1
            allow_anonymous true
            {ExtraConfig}
            """);
        _process = Process.Start(new ProcessStartInfo(binary, ["-c", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("mosquitto did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitListeningAsync();
    }

    /// <summary>Stops the broker this fixture started: SIGTERM (it saves its persistence, as a service stop does) or SIGKILL.</summary>
    public async Task StopOwnAsync(bool graceful = false)
    {
        if (_process is { HasExited: false })
        {
            if (graceful)
            {
                using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
            }
            else
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async Task DisposeAsync()
    {
        await StopOwnAsync();
        if (_directory is not null)
        {
            try
            {
                System.IO.Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the temp directory is cleaned by the OS.
            }
        }
    }

    private Task WaitListeningAsync() => Eventually.True(
        async () =>
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"mosquitto exited with code {_process.ExitCode}");
            }

            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(Host, Port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        },
        $"mosquitto listening on {Host}:{Port}");
}
