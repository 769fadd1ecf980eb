using Campus.IoT.Telemetry.Mqtt;

namespace Campus.IoT.Telemetry.Tests.Mqtt;

public sealed class MqttEndpointTests
{
    [Theory]
    [InlineData("mqtt://broker:1884", "broker", 1884, false)]
    [InlineData("broker", "broker", 1883, false)]
    [InlineData("tcp://10.0.0.1", "10.0.0.1", 1883, false)]
    [InlineData("mqtts://broker.district.example", "broker.district.example", 8883, true)]
    [InlineData("mqtts://localhost:18883", "localhost", 18883, true)]
    public void Plain_and_tls_addresses_parse_with_their_default_ports(string text, string host, int port, bool tls)
    {
        Assert.True(MqttEndpoint.TryParse(text, out var endpoint));
        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(tls, endpoint.Tls);
        Assert.Equal($"{(tls ? "mqtts" : "mqtt")}://{host}:{port}", endpoint.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://broker:80")]
    [InlineData("ws://broker")]
    public void Other_schemes_are_refused(string text) => Assert.False(MqttEndpoint.TryParse(text, out _));

    [Fact]
    public void Settings_with_an_account_and_mqtts_add_credentials_and_tls()
    {
        var settings = new MqttClientSettings(new MqttEndpoint("broker", 8883) { Tls = true }, "a") { Username = "ingest", Password = "pw" };
        var options = settings.ForSubscriber("ingest");
        Assert.Equal("ingest", options.Credentials.GetUserName(options));
        Assert.True(options.ChannelOptions.TlsOptions.UseTls);

        var plain = new MqttClientSettings(new MqttEndpoint("127.0.0.1", 1883), "a").ForSubscriber("ingest");
        Assert.Null(plain.Credentials);
        Assert.False(plain.ChannelOptions.TlsOptions.UseTls);
    }
}
