using System.Net.Sockets;

namespace Campus.IoT.Tests.Common;

/// <summary>
/// A real SMTP server for a test: Debian's aiosmtpd (package python3-aiosmtpd, installed by scripts/test.sh) on a free
/// loopback port, its Mailbox handler delivering every message it accepts into a Maildir the test reads. Stoppable and
/// restartable on the same port, to test a mail server that is down.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private ServerProcess? _process;

    private SmtpTestServer(int port, string maildir)
    {
        Port = port;
        Maildir = maildir;
    }

    public int Port { get; }

    /// <summary>The Maildir the server delivers into; accepted messages appear under <c>new/</c>.</summary>
    public string Maildir { get; }

    /// <summary>A server on a free port, not started yet (<see cref="StartAsync"/>): a mail server that is down.</summary>
    public static SmtpTestServer Create() => new(FreePort.Next(), Path.Combine(Directory.CreateTempSubdirectory("campus-smtp-").FullName, "Maildir"));

    public static async Task<SmtpTestServer> StartNewAsync()
    {
        var server = Create();
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is missing: run scripts/test.sh, or `apt-get install -y python3-aiosmtpd`");
        }

        _process = ServerProcess.Start(Python, ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", Maildir]);
        using var deadline = new CancellationTokenSource(Eventually.DefaultTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"aiosmtpd exited with {_process.ExitCode} (is python3-aiosmtpd installed?): {_process.OutputTail}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port, deadline.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, deadline.Token);
            }
        }
    }

    /// <summary>The files of the messages delivered so far.</summary>
    public IReadOnlyList<string> Messages()
    {
        var folder = Path.Combine(Maildir, "new");
        return Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(5));
            _process.Dispose();
        }
    }
}
