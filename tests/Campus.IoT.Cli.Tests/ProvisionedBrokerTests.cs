using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Campus.IoT.Gateway;
using Campus.IoT.Gateway.Configuration;
using Campus.IoT.Gateway.Spool;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Campus.IoT.Tests.Common;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Campus.IoT.Cli.Tests;

/// <summary>
/// A real Mosquitto reading the <c>passwd</c> and <c>acl</c> files <c>campus provision</c> wrote: one listener with
/// passwords only, one with TLS (a CA and server certificate made by openssl here) and passwords. Gateways
/// <c>s1/gw-a</c> and <c>s1/gw-b</c> and the platform account <c>ingest</c> are provisioned before the broker starts.
/// </summary>
public sealed class ProvisionedBrokerTests : IAsyncLifetime
{
    private readonly int _port = FreePort.Next();
    private readonly int _tlsPort = FreePort.Next();
    private readonly CapturedLogs _logs = new();
    private readonly List<IMqttClient> _clients = [];
    private string _dir = null!;
    private MosquittoBroker _broker = null!;
    private string _gwA = null!;
    private string _gwB = null!;
    private string _ingest = null!;
    private string _gwAConfig = null!;
    private string _ingestConfig = null!;

    public async Task InitializeAsync()
    {
        _dir = Directory.CreateTempSubdirectory("campus-provisioned-").FullName;
        await RunAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Campus Test District CA");
        await RunAsync("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
        await File.WriteAllTextAsync(Path.Combine(_dir, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        await RunAsync("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext");

        var gwA = await Cli("provision", "gateway", "--site", "s1", "--name", "gw-a", "--dir", _dir, "--broker", $"mqtts://localhost:{_tlsPort}", "--ca-file", Path.Combine(_dir, "ca.crt"));
        _gwA = ProvisionCommandTests.Secret(gwA);
        _gwAConfig = gwA.Stdout;
        _gwB = ProvisionCommandTests.Secret(await Cli("provision", "gateway", "--site", "s1", "--name", "gw-b", "--dir", _dir));
        var ingest = await Cli("provision", "platform", "--name", "ingest", "--dir", _dir, "--broker", $"mqtts://localhost:{_tlsPort}", "--ca-file", Path.Combine(_dir, "ca.crt"));
        _ingest = ProvisionCommandTests.Secret(ingest);
        _ingestConfig = ingest.Stdout;

        var secured = $"""
            allow_anonymous false
            password_file {_dir}/passwd
            acl_file {_dir}/acl
            """;
        _broker = new MosquittoBroker
        {
            ExtraConfig = $"""
                listener {_port} 127.0.0.1
                {secured}
                listener {_tlsPort} 127.0.0.1
                cafile {_dir}/ca.crt
                certfile {_dir}/server.crt
                keyfile {_dir}/server.key
                {secured}
                """,
        };
        await _broker.StartOwnAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _broker.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_gateway_publishes_its_own_telemetry_and_the_platform_receives_it_on_a_shared_subscription()
    {
        var received = await Subscriber("ingest", _ingest, "$share/ingest/campus/v1/+/+/telemetry");
        var gateway = await Connected("s1.gw-a", _gwA);

        var result = await gateway.PublishAsync(Message("campus/v1/s1/gw-a/telemetry", "own"));

        Assert.Equal(MqttClientPublishReasonCode.Success, result.ReasonCode);
        await Eventually.True(() => received.Contains("campus/v1/s1/gw-a/telemetry own"), "gw-a's telemetry at the platform");
    }

    [Fact]
    public async Task A_gateway_cannot_publish_as_another_gateway()
    {
        var received = await Subscriber("ingest", _ingest, "campus/v1/#");
        var gateway = await Connected("s1.gw-a", _gwA);

        foreach (var kind in new[] { "telemetry", "events", "status" })
        {
            var forged = await gateway.PublishAsync(Message($"campus/v1/s1/gw-b/{kind}", "forged"));
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        }

        var elsewhere = await gateway.PublishAsync(Message("campus/v1/s2/gw-a/telemetry", "forged"));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, elsewhere.ReasonCode);

        // The fence: gw-a's own message, published after the forged ones on the same connection, arrives; the forged ones never do.
        await gateway.PublishAsync(Message("campus/v1/s1/gw-a/telemetry", "fence"));
        await Eventually.True(() => received.Contains("campus/v1/s1/gw-a/telemetry fence"), "the fence");
        Assert.DoesNotContain(received, m => m.Contains("forged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_schools_bridge_account_forwards_every_gateway_of_its_school_and_nothing_of_another()
    {
        var provisioned = await Cli("provision", "bridge", "--site", "s1", "--dir", _dir, "--reload-pid", _broker.ProcessId!.Value.ToString(CultureInfo.InvariantCulture));
        Assert.True(provisioned.ExitCode == 0, provisioned.Stderr);
        var secret = provisioned.Stdout.Trim();   // the password file's one line (campus bridge config --password-file)
        Assert.Equal(43, secret.Length);
        Assert.Contains("bridge@s1:$7$101$", await File.ReadAllTextAsync(Path.Combine(_dir, "passwd")), StringComparison.Ordinal);
        var listed = await Cli("provision", "list", "--dir", _dir);
        Assert.Contains("""{"user":"bridge@s1","kind":"bridge","site":"s1","acl":true}""", listed.Stdout, StringComparison.Ordinal);

        var received = await Subscriber("ingest", _ingest, "campus/v1/#");
        var bridge = await Eventually.Get(
            async () => (await Connect("bridge@s1", secret)) is { Result.ResultCode: MqttClientConnectResultCode.Success } ok ? ok.Client : null,
            "the bridge account after the reload");

        Assert.Equal(MqttClientPublishReasonCode.Success, (await bridge.PublishAsync(Message("campus/v1/s1/gw-a/telemetry", "bridged-a"))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, (await bridge.PublishAsync(Message("campus/v1/s1/gw-9/events", "bridged-9"))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await bridge.PublishAsync(Message("campus/v1/s2/gw-a/telemetry", "forged"))).ReasonCode);
        await bridge.PublishAsync(Message("campus/v1/s1/gw-a/telemetry", "fence"));

        await Eventually.True(() => received.Contains("campus/v1/s1/gw-a/telemetry fence"), "the fence");
        Assert.Contains("campus/v1/s1/gw-a/telemetry bridged-a", received);
        Assert.Contains("campus/v1/s1/gw-9/events bridged-9", received);
        Assert.DoesNotContain(received, m => m.Contains("forged", StringComparison.Ordinal));

        var revoked = await Cli("revoke", "bridge", "--site", "s1", "--dir", _dir);
        Assert.True(revoked.ExitCode == 0, revoked.Stderr);
        Assert.DoesNotContain("bridge@s1", await File.ReadAllTextAsync(Path.Combine(_dir, "acl")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gateways_last_will_is_allowed_on_its_own_status_topic_only()
    {
        var received = await Subscriber("ingest", _ingest, "campus/v1/+/+/status");

        var forger = await Connect("s1.gw-a", _gwA, will: "campus/v1/s1/gw-b/status");
        if (forger.Result.ResultCode == MqttClientConnectResultCode.Success)
        {
            await forger.Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build());
        }

        var own = await Connect("s1.gw-a", _gwA, will: "campus/v1/s1/gw-a/status");
        Assert.Equal(MqttClientConnectResultCode.Success, own.Result.ResultCode);
        await own.Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build());

        await Eventually.True(() => received.Contains("campus/v1/s1/gw-a/status offline"), "gw-a's own Last Will");
        Assert.DoesNotContain("campus/v1/s1/gw-b/status offline", received);
    }

    [Fact]
    public async Task A_gateway_receives_its_own_commands_and_never_another_gateways()
    {
        var gatewayA = new ConcurrentQueue<string>();
        var a = await Connected("s1.gw-a", _gwA, gatewayA);
        await a.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("campus/v1/s1/gw-b/cmd/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await a.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("campus/v1/+/+/telemetry", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await a.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("campus/v1/s1/gw-a/cmd/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var b = await Connected("s1.gw-b", _gwB);
        var platform = await Connected("ingest", _ingest);

        var byGateway = await b.PublishAsync(Message("campus/v1/s1/gw-a/cmd/restart", "from-b"));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, byGateway.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, (await b.PublishAsync(Message("campus/v1/s1/gw-b/telemetry", "b-telemetry"))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, (await platform.PublishAsync(Message("campus/v1/s1/gw-b/cmd/restart", "for-b"))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, (await platform.PublishAsync(Message("campus/v1/s1/gw-a/cmd/restart", "for-a"))).ReasonCode);

        await Eventually.True(() => gatewayA.Contains("campus/v1/s1/gw-a/cmd/restart for-a"), "gw-a's own command");
        Assert.Equal(["campus/v1/s1/gw-a/cmd/restart for-a"], gatewayA);
    }

    [Fact]
    public async Task A_wrong_password_a_revoked_gateway_and_a_rotated_out_secret_are_refused_at_connect()
    {
        AssertRefused((await Connect("s1.gw-a", _gwB)).Result.ResultCode);
        AssertRefused((await Connect("s1.nobody", _gwA)).Result.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.Success, (await Connect("s1.gw-b", _gwB)).Result.ResultCode);

        var pid = _broker.ProcessId!.Value.ToString(CultureInfo.InvariantCulture);
        var revoke = await Cli("revoke", "gateway", "--site", "s1", "--name", "gw-b", "--dir", _dir, "--reload-pid", pid);
        Assert.True(revoke.ExitCode == 0, revoke.Stderr);
        await Eventually.True(async () => (await Connect("s1.gw-b", _gwB)).Result.ResultCode is MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.BadUserNameOrPassword, "gw-b refused after revoke and SIGHUP");

        var rotated = ProvisionCommandTests.Secret(await Cli("provision", "gateway", "--site", "s1", "--name", "gw-a", "--dir", _dir, "--rotate", "--reload-pid", pid));
        await Eventually.True(async () => (await Connect("s1.gw-a", rotated)).Result.ResultCode == MqttClientConnectResultCode.Success, "gw-a with its new secret");
        AssertRefused((await Connect("s1.gw-a", _gwA)).Result.ResultCode);
    }

    [Fact]
    public async Task A_session_connected_before_its_revocation_loses_its_rights_at_the_reload()
    {
        var received = await Subscriber("ingest", _ingest, "campus/v1/#");
        var commands = new ConcurrentQueue<string>();
        var b = await Connected("s1.gw-b", _gwB, commands);
        await b.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("campus/v1/s1/gw-b/cmd/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientPublishReasonCode.Success, (await b.PublishAsync(Message("campus/v1/s1/gw-b/telemetry", "before"))).ReasonCode);
        await Eventually.True(() => received.Contains("campus/v1/s1/gw-b/telemetry before"), "gw-b before the revocation");

        var revoke = await Cli("revoke", "gateway", "--site", "s1", "--name", "gw-b", "--dir", _dir, "--reload-pid", _broker.ProcessId!.Value.ToString(CultureInfo.InvariantCulture));
        Assert.True(revoke.ExitCode == 0, revoke.Stderr);
        // SIGHUP is handled asynchronously: probe until the broker has applied it, then check a publish made after that.
        await Eventually.True(async () => !b.IsConnected || (await b.PublishAsync(Message("campus/v1/s1/gw-b/telemetry", "probe"))).ReasonCode == MqttClientPublishReasonCode.NotAuthorized, "gw-b's publish refused after the reload");
        if (b.IsConnected)
        {
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await b.PublishAsync(Message("campus/v1/s1/gw-b/telemetry", "after"))).ReasonCode);
        }

        var platform = await Connected("ingest", _ingest);
        Assert.Equal(MqttClientPublishReasonCode.Success, (await platform.PublishAsync(Message("campus/v1/s1/gw-b/cmd/restart", "after-revoke"))).ReasonCode);
        await (await Connected("s1.gw-a", _gwA)).PublishAsync(Message("campus/v1/s1/gw-a/telemetry", "fence"));
        await Eventually.True(() => received.Contains("campus/v1/s1/gw-a/telemetry fence"), "the fence after the command");
        Assert.Empty(commands);
        Assert.DoesNotContain(received, m => m.EndsWith(" after", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_printed_gateway_config_connects_the_real_gateway_over_tls_and_confines_it_the_same_way()
    {
        var received = await Subscriber("ingest", _ingest, "campus/v1/#");
        using var json = JsonDocument.Parse(_gwAConfig);
        var section = json.RootElement.GetProperty("Gateway");
        Assert.True(GatewayOptionsValidator.TryParseBroker(section.GetProperty("Broker").GetString(), out var endpoint, out var tls));
        Assert.True(tls);
        var security = new MqttSecurity(section.GetProperty("Username").GetString(), section.GetProperty("Password").GetString(), tls, section.GetProperty("CaFile").GetString());
        var spoolDir = Path.Combine(_dir, "spool");
        using var spool = DurableSpool.Open(new SpoolOptions(spoolDir), _logs.CreateLogger("spool"));
        await using (var gateway = new SpooledGatewayPublisher(endpoint, new GatewayIdentity(section.GetProperty("Site").GetString()!, section.GetProperty("Id").GetString()!, "test"), spool, TimeProvider.System, _logs.CreateLogger("gateway"), security))
        {
            gateway.Start();
            await gateway.EnqueueEventsAsync([new DeviceEvent("smoke-1", EventType.Smoke, EventState.Active, DateTimeOffset.UtcNow)]);
            await Eventually.True(() => received.Any(m => m.StartsWith("campus/v1/s1/gw-a/events ", StringComparison.Ordinal)), "gw-a's event over TLS");
        }

        // The same account over TLS still cannot speak for gw-b.
        var forger = await Connect("s1.gw-a", _gwA, useTls: true);
        Assert.Equal(MqttClientConnectResultCode.Success, forger.Result.ResultCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await forger.Client.PublishAsync(Message("campus/v1/s1/gw-b/events", "forged"))).ReasonCode);
        await forger.Client.PublishAsync(Message("campus/v1/s1/gw-a/telemetry", "tls-fence"));
        await Eventually.True(() => received.Contains("campus/v1/s1/gw-a/telemetry tls-fence"), "the TLS fence");
        Assert.DoesNotContain(received, m => m.Contains("forged", StringComparison.Ordinal));
        AssertRefused((await Connect("s1.gw-a", "wrong", useTls: true)).Result.ResultCode);
    }

    /// <summary>A refused CONNECT: Mosquitto 2.0 answers 0x87 Not authorized for a bad password; 0x86 is the other legal answer.</summary>
    private static void AssertRefused(MqttClientConnectResultCode code) =>
        Assert.True(code is MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.BadUserNameOrPassword, $"CONNECT answered {code}");

    [Fact]
    public async Task The_printed_platform_config_subscribes_over_tls_through_the_platforms_own_client()
    {
        using var json = JsonDocument.Parse(_ingestConfig);
        var section = json.RootElement.GetProperty("Campus").GetProperty("Mqtt");
        Assert.True(MqttEndpoint.TryParse(section.GetProperty("Broker").GetString(), out var endpoint));
        Assert.True(endpoint.Tls);
        var settings = new MqttClientSettings(endpoint, "t-" + Guid.NewGuid().ToString("N")[..8])
        {
            Username = section.GetProperty("Username").GetString(),
            Password = section.GetProperty("Password").GetString(),
            CaFile = section.GetProperty("CaFile").GetString(),
        };
        var received = new ConcurrentQueue<string>();
        MqttTopicFilter[] filters = [new MqttTopicFilterBuilder().WithTopic("$share/ingest/campus/v1/+/+/telemetry").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()];
        await using var subscriber = new ResilientMqttClient(settings.ForSubscriber("ingest"), filters, e =>
        {
            received.Enqueue(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        }, TimeProvider.System, _logs.CreateLogger("ingest"));
        subscriber.Start();
        using (var cts = new CancellationTokenSource(Eventually.DefaultTimeout))
        {
            await subscriber.WaitConnectedAsync(cts.Token);
        }

        var gateway = await Connected("s1.gw-b", _gwB);
        await gateway.PublishAsync(Message("campus/v1/s1/gw-b/telemetry", "over-tls"));
        await Eventually.True(() => received.Contains("over-tls"), "gw-b's telemetry at the TLS platform subscriber");
    }

    private static MqttApplicationMessage Message(string topic, string payload) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private static Task<CliRun> Cli(params string[] args) => CliRun.RunAsync(string.Empty, TimeProvider.System, args);

    private async Task<ConcurrentQueue<string>> Subscriber(string user, string password, string filter)
    {
        var received = new ConcurrentQueue<string>();
        var client = await Connected(user, password, received);
        var result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, result.Items.Single().ResultCode);
        return received;
    }

    private async Task<IMqttClient> Connected(string user, string password, ConcurrentQueue<string>? received = null)
    {
        var (client, result) = await Connect(user, password, received: received);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    private async Task<(IMqttClient Client, MqttClientConnectResult Result)> Connect(string user, string password, string? will = null, bool useTls = false, ConcurrentQueue<string>? received = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        _clients.Add(client);
        if (received is not null)
        {
            client.ApplicationMessageReceivedAsync += e =>
            {
                received.Enqueue($"{e.ApplicationMessage.Topic} {Encoding.UTF8.GetString(e.ApplicationMessage.Payload)}");
                return Task.CompletedTask;
            };
        }

        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(useTls ? "localhost" : "127.0.0.1", useTls ? _tlsPort : _port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("t-" + Guid.NewGuid().ToString("N")[..12])
            .WithCredentials(user, password)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (will is not null)
        {
            builder.WithWillTopic(will).WithWillPayload("offline").WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }

        if (useTls)
        {
            var ca = new X509Certificate2Collection();
            ca.ImportFromPemFile(Path.Combine(_dir, "ca.crt"));
            builder.WithTlsOptions(o => o.UseTls().WithTargetHost("localhost").WithCertificateValidationHandler(e => IsTrusted(e.Certificate, ca)));
        }

        return (client, await client.ConnectAsync(builder.Build()));
    }

    private static bool IsTrusted(X509Certificate? certificate, X509Certificate2Collection ca)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    private async Task RunAsync(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { WorkingDirectory = _dir, RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"{program} did not start");
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {stderr}");
    }
}
