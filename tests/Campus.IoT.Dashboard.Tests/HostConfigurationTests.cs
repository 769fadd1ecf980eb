using Microsoft.Extensions.Options;

namespace Campus.IoT.Dashboard.Tests;

public sealed class HostConfigurationTests
{
    [Fact]
    public async Task Bad_settings_stop_the_host_at_start_with_every_error_listed()
    {
        await using var app = CampusHost.Create([
            "--urls", "http://127.0.0.1:0",
            "--Campus:DataDir=" + Path.GetTempPath(),
            "--Campus:Mqtt:EmbeddedPort=70000",
            "--Campus:Mqtt:EmbeddedBindAddress=not-an-ip",
            "--Campus:InstanceId=Bad Id",
            "--Campus:TimeZone=Mars/Olympus",
            "--Campus:Cluster:Redis=127.0.0.1:6379,no-such-option=1",
        ]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(error.Failures, f => f.Contains("EmbeddedPort", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("EmbeddedBindAddress", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("InstanceId", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Campus:TimeZone 'Mars/Olympus'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Campus:Cluster:Redis", StringComparison.Ordinal) && f.Contains("no-such-option", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_notification_settings_stop_the_host_at_start_with_every_error_listed()
    {
        await using var app = CampusHost.Create([
            "--urls", "http://127.0.0.1:0",
            "--Campus:DataDir=" + Path.GetTempPath(),
            "--Campus:Notify:Webhooks:sms:Url=not a url",
            "--Campus:Notify:Webhooks:sms:Secret=short",
            "--Campus:Notify:Recipients:principal:Email:0=xiaozhang@school-01.edu.cn",
        ]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal(
            [
                "Campus:Notify:Webhooks:sms:Url must be an absolute http(s) URL (got 'not a url')",
                "Campus:Notify:Webhooks:sms:Secret must be at least 16 characters (it signs every request)",
                "Campus:Notify recipient principal has email addresses but Campus:Notify:Smtp is not configured",
            ],
            error.Failures);
    }

    [Fact]
    public async Task A_bad_external_broker_address_is_refused_at_start()
    {
        await using var app = CampusHost.Create(["--urls", "http://127.0.0.1:0", "--Campus:DataDir=" + Path.GetTempPath(), "--Campus:Mqtt:Broker=http://example"]);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(error.Failures, f => f.Contains("Campus:Mqtt:Broker", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_secured_broker_needs_username_and_password_together_and_an_existing_ca_file()
    {
        await using var app = CampusHost.Create(["--urls", "http://127.0.0.1:0", "--Campus:DataDir=" + Path.GetTempPath(), "--Campus:Mqtt:Broker=mqtts://broker.example:8883", "--Campus:Mqtt:Username=ingest", "--Campus:Mqtt:CaFile=/nonexistent/ca.crt"]);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("Campus:Mqtt:Username and Campus:Mqtt:Password must be set together", error.Failures);
        Assert.Contains("Campus:Mqtt:CaFile /nonexistent/ca.crt does not exist", error.Failures);
        Assert.DoesNotContain(error.Failures, f => f.Contains("Campus:Mqtt:Broker", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_busy_mqtt_port_stops_the_host_with_a_message_that_says_what_to_do()
    {
        using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((System.Net.IPEndPoint)squatter.LocalEndpoint).Port;
        await using var app = CampusHost.Create(["--urls", "http://127.0.0.1:0", "--Campus:DataDir=" + Directory.CreateTempSubdirectory("campus-busy-").FullName, $"--Campus:Mqtt:EmbeddedPort={port}"]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains($"{port} is already in use", error.Message, StringComparison.Ordinal);
        Assert.Contains("Campus:Mqtt:Broker", error.Message, StringComparison.Ordinal);
    }
}
