using System.Diagnostics;

namespace Campus.IoT.Tests.Common;

/// <summary>
/// A real serial line for tests: <c>socat</c> joins two pseudo-terminals, <see cref="PanelEnd"/> (where a simulated panel
/// writes) and <see cref="GatewayEnd"/> (which the gateway opens with System.IO.Ports). Killing it is the cable pulled.
/// </summary>
public sealed class SocatPtyPair : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-pty-").FullName;
    private Process? _process;

    public string PanelEnd => Path.Combine(_directory, "panel");

    public string GatewayEnd => Path.Combine(_directory, "gateway");

    public async Task StartAsync()
    {
        var socat = new[] { "/usr/bin/socat", "/usr/local/bin/socat" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("socat is not installed: run the README's test command, or `apt-get install -y socat`");
        _process = Process.Start(new ProcessStartInfo(socat, ["-d", "-d", $"pty,raw,echo=0,link={PanelEnd}", $"pty,raw,echo=0,link={GatewayEnd}"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("socat did not start");
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        await Eventually.True(() => File.Exists(PanelEnd) && File.Exists(GatewayEnd), "socat's pty links");
    }

    /// <summary>Opens the panel end for writing, as a panel's serial output.</summary>
    public FileStream OpenPanel() => new(PanelEnd, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);

    /// <summary>Ends socat (SIGKILL, like a cable pulled) and removes its pty links so a new pair can take the same paths.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
        foreach (var link in new[] { PanelEnd, GatewayEnd })
        {
            if (new FileInfo(link).LinkTarget is not null || File.Exists(link))
            {
                File.Delete(link);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
