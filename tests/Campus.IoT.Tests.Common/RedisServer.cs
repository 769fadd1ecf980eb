using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Campus.IoT.Tests.Common;

/// <summary>
/// A real Redis for a test class (the cluster's SignalR backplane and shared key ring): this fixture starts its own
/// redis-server on a free loopback port in a temporary directory, without persistence, waits until it answers PING and
/// stops it on dispose. Tests sharing one keep apart by their own sites. A missing binary is a test failure naming the package.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private static readonly string[] Binaries = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];

    private ServerProcess? _process;
    private string? _directory;

    /// <summary>Chosen at construction, so a test can point a node at a Redis that is not started yet.</summary>
    public int Port { get; } = FreePort.Next();

    /// <summary>The StackExchange.Redis configuration string (<c>Campus:Cluster:Redis</c>).</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>The process id of the running server, or null when it is stopped.</summary>
    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>A class fixture starts the server; a test that wants Redis down first constructs one and starts it later.</summary>
    public Task InitializeAsync() => StartAsync();

    /// <summary>Starts (or restarts, on the same port) the server.</summary>
    public async Task StartAsync()
    {
        var binary = Binaries.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed: run scripts/test.sh, or `apt-get install -y redis-server`");
        if (_process is { HasExited: false })
        {
            return;
        }

        _directory ??= Directory.CreateTempSubdirectory("campus-redis-").FullName;

        _process?.Dispose();
        _process = ServerProcess.Start(binary, [
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", string.Empty,
            "--appendonly", "no",
            "--dir", _directory,
        ]);
        await Eventually.True(PingAsync, $"redis-server answering PING on {Configuration}");
    }

    /// <summary>Stops the server (SIGTERM), keeping its port for <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(10));
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        _process = null;
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

    private async Task<bool> PingAsync()
    {
        if (_process is { HasExited: true } process)
        {
            throw new InvalidOperationException($"redis-server exited with code {process.ExitCode}: {process.OutputTail}");
        }

        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
