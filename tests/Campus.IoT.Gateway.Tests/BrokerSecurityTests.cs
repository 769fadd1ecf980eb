using System.Collections.Concurrent;
using System.Diagnostics;
using Campus.IoT.Gateway.Spool;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Gateway.Tests;

/// <summary>
/// The gateway against a Mosquitto TLS listener that requires a password, with a private CA made by openssl for the test.
/// A plain loopback listener on the same broker lets the test watch what arrives.
/// </summary>
public sealed class BrokerSecurityTests : IAsyncLifetime
{
    private readonly int _tlsPort = FreePort.Next();
    private readonly CapturedLogs _logs = new();
    private readonly List<string> _spools = [];
    private MosquittoBroker _broker = null!;
    private string _pki = null!;

    public async Task InitializeAsync()
    {
        _pki = Directory.CreateTempSubdirectory("campus-pki-").FullName;
        await RunAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Campus Test CA");
        await RunAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.crt", "-days", "2", "-subj", "/CN=Some Other CA");
        await RunAsync("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
        await File.WriteAllTextAsync(Path.Combine(_pki, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        await RunAsync("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext");
        await RunAsync("mosquitto_passwd", "-c", "-b", "passwd", "gw-secure", "s3cret-Pa55");
        _broker = new MosquittoBroker
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
        await _broker.StartOwnAsync();
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_pki, recursive: true);
        foreach (var spool in _spools)
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    [Fact]
    public async Task A_gateway_with_the_right_password_and_ca_publishes_over_tls()
    {
        var received = new ConcurrentQueue<string>();
        await using var watcher = await DurableSubscriber.StartAsync("127.0.0.1", _broker.Port, "campus/v1/school-tls/gw-secure/events", (_, payload) => received.Enqueue(System.Text.Encoding.UTF8.GetString(payload)), _logs.CreateLogger("watcher"));

        await using var gateway = Gateway(new MqttSecurity("gw-secure", "s3cret-Pa55", UseTls: true, Path.Combine(_pki, "ca.crt")), out var spool);
        gateway.Start();
        await gateway.EnqueueEventsAsync([new DeviceEvent("smoke-1", EventType.Smoke, EventState.Active, DateTimeOffset.UtcNow)]);

        await Eventually.True(() => !received.IsEmpty, "the event over TLS");
        Assert.Contains("\"type\":\"smoke\"", received.First(), StringComparison.Ordinal);
        spool.Dispose();
    }

    [Theory]
    [InlineData("gw-secure", "wrong-password", "ca.crt")]
    [InlineData("gw-secure", "s3cret-Pa55", "other.crt")]
    public async Task A_wrong_password_or_an_untrusted_broker_certificate_is_refused_and_the_message_stays_spooled(string user, string password, string ca)
    {
        var received = new ConcurrentQueue<string>();
        await using var watcher = await DurableSubscriber.StartAsync("127.0.0.1", _broker.Port, "campus/v1/school-tls/gw-secure/events", (_, payload) => received.Enqueue(System.Text.Encoding.UTF8.GetString(payload)), _logs.CreateLogger("watcher"));

        await using var gateway = Gateway(new MqttSecurity(user, password, UseTls: true, Path.Combine(_pki, ca)), out var spool);
        gateway.Start();
        await gateway.EnqueueEventsAsync([new DeviceEvent("smoke-1", EventType.Smoke, EventState.Active, DateTimeOffset.UtcNow)]);

        await Eventually.True(() => _logs.Entries.Count(e => e.EventId.Id == 1003) >= 2, "two refused connection attempts");
        Assert.False(gateway.IsConnected);
        Assert.Empty(received);
        Assert.Equal(1, spool.Stats.Depth);
        spool.Dispose();
    }

    private SpooledGatewayPublisher Gateway(MqttSecurity security, out DurableSpool spool)
    {
        var directory = Directory.CreateTempSubdirectory("campus-tls-spool-").FullName;
        _spools.Add(directory);
        spool = DurableSpool.Open(new SpoolOptions(directory), _logs.CreateLogger("spool"));
        return new SpooledGatewayPublisher(new MqttEndpoint("localhost", _tlsPort), new GatewayIdentity("school-tls", "gw-secure", "test"), spool, TimeProvider.System, _logs.CreateLogger("gateway"), security);
    }

    private async Task RunAsync(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { WorkingDirectory = _pki, RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"{program} did not start");
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {stderr}");
    }
}
