using System.Collections.Concurrent;
using System.Diagnostics;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Cli.Tests;

/// <summary>
/// The generated <c>mqtts://</c> bridge between real Mosquitto processes: a district TLS listener with a certificate from a
/// private CA made by openssl for the test. With <c>--cafile</c> of that CA the school's messages arrive; with another CA
/// the bridge refuses the district's certificate and nothing is forwarded.
/// </summary>
public sealed class BridgeTlsTests : IAsyncLifetime
{
    private readonly int _tlsPort = FreePort.Next();
    private readonly CapturedLogs _logs = new();
    private string _pki = null!;
    private MosquittoBroker _district = null!;

    public async Task InitializeAsync()
    {
        _pki = Directory.CreateTempSubdirectory("campus-bridge-pki-").FullName;
        await RunAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Campus District Test CA");
        await RunAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.crt", "-days", "2", "-subj", "/CN=Some Other CA");
        await RunAsync("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
        await File.WriteAllTextAsync(Path.Combine(_pki, "san.ext"), "subjectAltName=DNS:localhost\n");
        await RunAsync("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext");
        await RunAsync("mosquitto_passwd", "-c", "-b", "passwd", "bridge-tls-school", "tls-bridge-pw");
        await File.WriteAllTextAsync(Path.Combine(_pki, "bridge.pw"), "tls-bridge-pw\n");
        _district = new MosquittoBroker
        {
            ExtraConfig = $"""
                listener {_tlsPort} 127.0.0.1
                cafile {_pki}/ca.crt
                certfile {_pki}/server.crt
                keyfile {_pki}/server.key
                allow_anonymous false
                password_file {_pki}/passwd
                """,
        };
        await _district.StartOwnAsync();
    }

    [Theory]
    [InlineData("ca.crt", true)]
    [InlineData("other.crt", false)]
    public async Task A_tls_bridge_forwards_only_to_a_district_whose_certificate_its_ca_signed(string cafile, bool delivered)
    {
        var site = delivered ? "tls-school-ok" : "tls-school-bad-ca";
        var received = new ConcurrentQueue<string>();
        await using var witness = await DurableSubscriber.StartAsync(_district.Host, _district.Port, "campus/v1/#", (topic, _) => received.Enqueue(topic), _logs.CreateLogger("witness"));
        var config = await CliRun.RunAsync(string.Empty, TimeProvider.System, "bridge", "config", "--site", site, "--district", $"mqtts://localhost:{_tlsPort}",
            "--username", "bridge-tls-school", "--password-file", Path.Combine(_pki, "bridge.pw"), "--cafile", Path.Combine(_pki, cafile));
        Assert.Equal(0, config.ExitCode);
        var school = new MosquittoBroker { ExtraConfig = config.Stdout };
        try
        {
            await school.StartOwnAsync();
            await using var gateway = await TestMqtt.ConnectAsync(school.Host, school.Port);
            for (var seq = 1; seq <= 20; seq++)
            {
                await gateway.PublishAsync($"campus/v1/{site}/gw-1/telemetry", $$"""{"seq":{{seq}},"ts":"2026-11-29T08:00:00.000Z","readings":[]}""");
            }

            if (delivered)
            {
                await Eventually.True(() => received.Count >= 20, "20 messages over the TLS bridge");
                Assert.All(received, t => Assert.Equal($"campus/v1/{site}/gw-1/telemetry", t));
            }
            else
            {
                // The bridge retries every few seconds (restart_timeout 5 60); give it two tries.
                await Task.Delay(TimeSpan.FromSeconds(8));
                Assert.Empty(received);
            }
        }
        finally
        {
            await school.DisposeAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await _district.DisposeAsync();
        Directory.Delete(_pki, recursive: true);
    }

    private async Task RunAsync(string binary, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(binary, args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = _pki })
            ?? throw new InvalidOperationException($"{binary} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{binary} failed: {await stderr}");
    }
}
