using System.Buffers;
using System.Text;
using System.Text.Json;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Telemetry.Tests;

public sealed class PayloadRoundTripTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 30, 0, 125, TimeSpan.Zero);
    private readonly PayloadDecoder _decoder = new(new FakeTimeProvider(Now));

    [Fact]
    public void Telemetry_serialises_to_the_contract_shape()
    {
        var message = new TelemetryMessage(1042, Now, [new Reading("lab3-fridge-1", Metrics.Temperature, 4.25, Now)]);
        var json = JsonSerializer.Serialize(message, TelemetryJsonContext.Default.TelemetryMessage);
        Assert.Equal(
            """{"seq":1042,"ts":"2026-11-28T09:30:00.125Z","readings":[{"device":"lab3-fridge-1","metric":"temperature","value":4.25,"ts":"2026-11-28T09:30:00.125Z"}]}""",
            json);
    }

    [Fact]
    public void Telemetry_round_trips_through_the_decoder()
    {
        var message = new TelemetryMessage(7, Now, [
            new Reading("lab3-fridge-1", Metrics.Temperature, -18.5, Now.AddSeconds(-10)),
            new Reading("classroom-101", Metrics.Humidity, 55, Now),
            new Reading("smoke-3f-lab", Metrics.Battery, 91.5, Now),
            new Reading("gw-1", Metrics.Rssi, -71, Now),
        ]);
        var decoded = _decoder.DecodeTelemetry(Bytes(JsonSerializer.SerializeToUtf8Bytes(message, TelemetryJsonContext.Default.TelemetryMessage)));

        Assert.True(decoded.IsAccepted);
        Assert.Empty(decoded.ItemRejections);
        Assert.Equal(message.Seq, decoded.Value!.Seq);
        Assert.Equal(message.Ts, decoded.Value.Ts);
        Assert.Equal(message.Readings, decoded.Value.Readings);
        var viaContext = JsonSerializer.Deserialize(JsonSerializer.Serialize(message, TelemetryJsonContext.Default.TelemetryMessage), TelemetryJsonContext.Default.TelemetryMessage)!;
        Assert.Equal(message.Readings, viaContext.Readings);
    }

    [Fact]
    public void Escaped_strings_decode_to_the_same_readings_as_plain_ones()
    {
        // JSON escapes are legal anywhere in a string: the decoder's byte-level fast paths must not misread them.
        var plain = """{"seq":5,"ts":"2026-11-28T09:30:00.125Z","readings":[{"device":"lab3-fridge-1","metric":"temperature","value":4.25,"ts":"2026-11-28T09:30:00.125Z"}]}""";
        var escaped = """{"seq":5,"ts":"2026-11-28T09:30:00.125\u005A","readings":[{"device":"lab3\u002dfridge-1","metric":"temp\u0065rature","value":4.25,"ts":"2026\u002d11-28T09:30:00.125Z"}]}""";
        var expected = _decoder.DecodeTelemetry(Bytes(Encoding.UTF8.GetBytes(plain)));
        var actual = _decoder.DecodeTelemetry(Bytes(Encoding.UTF8.GetBytes(escaped)));
        Assert.True(actual.IsAccepted, actual.Detail);
        Assert.Empty(actual.ItemRejections);
        Assert.Equal(expected.Value!.Ts, actual.Value!.Ts);
        Assert.Equal(expected.Value.Readings, actual.Value.Readings);
        Assert.Equal([new Reading("lab3-fridge-1", Metrics.Temperature, 4.25, Now)], actual.Value.Readings);

        // An escape that spells an invalid identifier is still refused as one.
        var bad = _decoder.DecodeTelemetry(Bytes(Encoding.UTF8.GetBytes(escaped.Replace("lab3\\u002dfridge-1", "Lab3\\u002dfridge-1", StringComparison.Ordinal))));
        Assert.Equal(RejectReason.BadIdentifier, Assert.Single(bad.ItemRejections).Reason);
    }

    [Fact]
    public void Repeated_device_names_decode_to_one_shared_string()
    {
        var message = new TelemetryMessage(8, Now, [new Reading("lab3-fridge-1", Metrics.Temperature, 4.25, Now), new Reading("lab3-fridge-1", Metrics.Humidity, 60, Now)]);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, TelemetryJsonContext.Default.TelemetryMessage);
        var first = _decoder.DecodeTelemetry(Bytes(bytes)).Value!.Readings;
        var second = _decoder.DecodeTelemetry(Bytes(bytes)).Value!.Readings;
        Assert.Same(first[0].Device, first[1].Device);
        Assert.Same(first[0].Device, second[0].Device);
        Assert.Same(Metrics.Temperature, first[0].Metric);
    }

    [Fact]
    public void Events_round_trip_with_their_optional_fields()
    {
        var message = new EventMessage(1043, Now, [
            new DeviceEvent("panel-main", EventType.FireAlarm, EventState.Active, Now) { Point = "L1D126", Zone = "Z3", Label = "3F lab corridor", Raw = "SMK ACT | 12:06:56 10/20/2023 L:1 D:126" },
            new DeviceEvent("smoke-1", EventType.ManualCallPoint, EventState.Cleared, Now),
        ]);
        var json = JsonSerializer.Serialize(message, TelemetryJsonContext.Default.EventMessage);
        Assert.Contains("\"type\":\"fire_alarm\"", json, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"manual_call_point\",\"state\":\"cleared\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"point\":null", json, StringComparison.Ordinal);

        var decoded = _decoder.DecodeEvents(Bytes(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(message.Events, decoded.Value!.Events);
    }

    [Fact]
    public void Every_event_type_has_its_wire_name()
    {
        foreach (var type in Enum.GetValues<EventType>())
        {
            var json = JsonSerializer.Serialize(new EventMessage(1, Now, [new DeviceEvent("d1", type, EventState.Active, Now)]), TelemetryJsonContext.Default.EventMessage);
            Assert.Contains($"\"type\":\"{type.ToWire()}\"", json, StringComparison.Ordinal);
            Assert.Equal(type, _decoder.DecodeEvents(Bytes(Encoding.UTF8.GetBytes(json))).Value!.Events[0].Type);
        }
    }

    [Fact]
    public void Status_round_trips()
    {
        var status = new GatewayStatus(GatewayState.Online, Now) { Version = "1.2.0", Spooled = 0 };
        var json = JsonSerializer.Serialize(status, TelemetryJsonContext.Default.GatewayStatus);
        Assert.Equal("""{"state":"online","ts":"2026-11-28T09:30:00.125Z","version":"1.2.0","spooled":0}""", json);
        Assert.Equal(status, _decoder.DecodeStatus(Bytes(Encoding.UTF8.GetBytes(json))).Value);
    }

    [Fact]
    public void Timestamps_with_an_offset_are_normalised_to_utc_milliseconds()
    {
        var decoded = _decoder.DecodeTelemetry(Bytes(Encoding.UTF8.GetBytes(
            """{"seq":1,"ts":"2026-11-28T17:30:00.1259+08:00","readings":[{"device":"d1","metric":"temperature","value":1,"ts":"2026-11-28T09:30:00Z"}]}""")));
        Assert.Equal(Now, decoded.Value!.Ts);
        Assert.Equal(TimeSpan.Zero, decoded.Value.Ts.Offset);
        Assert.Equal("2026-11-28T09:30:00.125Z", Timestamps.Format(decoded.Value.Ts));
    }

    private static ReadOnlySequence<byte> Bytes(byte[] bytes) => new(bytes);
}
