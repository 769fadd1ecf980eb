using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>The same path with the host pointed at a real Mosquitto broker (the embedded broker stays off).</summary>
public sealed class MosquittoEndToEndTests(MosquittoBroker mosquitto) : IClassFixture<MosquittoBroker>, IAsyncLifetime
{
    private RunningPlatform _platform = null!;

    // Each test uses its own site so queued messages of one test never satisfy another.
    private readonly string _site = "mq-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync() => _platform = await RunningPlatform.StartAsync(externalBroker: mosquitto.Uri);

    public async Task DisposeAsync() => await _platform.DisposeAsync();

    [Fact]
    public async Task Smoke_event_through_mosquitto_reaches_the_live_hub_the_api_and_can_be_acknowledged()
    {
        var health = (await _platform.Http.GetFromJsonAsync<JsonObject>("/healthz"))!;
        Assert.Equal("external", (string?)health["checks"]!["broker"]);
        await Scenarios.Smoke_event_to_acknowledged_alarm(_platform, _site);
    }

    [Fact]
    public Task Malformed_messages_through_mosquitto_are_rejected_and_no_valid_reading_is_lost() =>
        Scenarios.Malformed_messages_are_rejected_and_counted_and_valid_readings_all_stored(_platform, _site);
}
