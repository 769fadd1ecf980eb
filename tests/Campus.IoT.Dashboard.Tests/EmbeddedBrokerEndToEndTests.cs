namespace Campus.IoT.Dashboard.Tests;

/// <summary>The single-machine platform with its own in-process MQTTnet broker.</summary>
public sealed class EmbeddedBrokerEndToEndTests : PlatformTest
{
    [Fact]
    public Task Smoke_event_reaches_the_live_hub_the_api_and_can_be_acknowledged() =>
        Scenarios.Smoke_event_to_acknowledged_alarm(Platform, "school-01");

    [Fact]
    public Task Malformed_messages_between_valid_ones_are_rejected_counted_and_logged_and_no_valid_reading_is_lost() =>
        Scenarios.Malformed_messages_are_rejected_and_counted_and_valid_readings_all_stored(Platform, "school-02");
}
