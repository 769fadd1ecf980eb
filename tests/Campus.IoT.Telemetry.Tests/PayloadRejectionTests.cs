using System.Buffers;
using System.Text;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Telemetry.Tests;

public sealed class PayloadRejectionTests
{
    private const string Ts = "2026-11-28T09:30:00.000Z";
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse(Ts, System.Globalization.CultureInfo.InvariantCulture);
    private readonly PayloadDecoder _decoder = new(new FakeTimeProvider(Now));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("not json", "text")]
    [InlineData("{\"seq\":1,", "truncated")]
    [InlineData("{'seq':1}", "single quotes")]
    public void Not_json_is_rejected(string payload, string because)
    {
        AssertMessageRejected(payload, RejectReason.NotJson, because);
    }

    [Fact]
    public void Invalid_utf8_is_not_json()
    {
        var result = _decoder.DecodeTelemetry(new ReadOnlySequence<byte>([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]));
        Assert.Equal(RejectReason.NotJson, result.Reason);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("{}")]
    [InlineData("{\"ts\":\"" + Ts + "\",\"readings\":[]}")]
    [InlineData("{\"seq\":\"1\",\"ts\":\"" + Ts + "\",\"readings\":[]}")]
    [InlineData("{\"seq\":-1,\"ts\":\"" + Ts + "\",\"readings\":[]}")]
    [InlineData("{\"seq\":1.5,\"ts\":\"" + Ts + "\",\"readings\":[]}")]
    [InlineData("{\"seq\":1,\"ts\":\"" + Ts + "\"}")]
    [InlineData("{\"seq\":1,\"ts\":\"" + Ts + "\",\"readings\":{}}")]
    public void Wrong_shape_is_rejected(string payload)
    {
        AssertMessageRejected(payload, RejectReason.WrongShape, payload);
    }

    [Fact]
    public void Missing_message_ts_is_rejected()
    {
        AssertMessageRejected("""{"seq":1,"readings":[]}""", RejectReason.MissingTs, "no ts");
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-11-28T09:30:00")]
    [InlineData("2026-11-28")]
    [InlineData("1764322200000")]
    public void Bad_ts_is_rejected(string ts)
    {
        AssertMessageRejected($$"""{"seq":1,"ts":"{{ts}}","readings":[]}""", RejectReason.BadTs, ts);
    }

    [Fact]
    public void Message_ts_more_than_five_minutes_ahead_is_rejected_and_less_is_accepted()
    {
        AssertMessageRejected("""{"seq":1,"ts":"2026-11-28T09:35:00.001Z","readings":[]}""", RejectReason.TsInFuture, "5 min + 1 ms");
        Assert.True(Telemetry("""{"seq":1,"ts":"2026-11-28T09:35:00.000Z","readings":[]}""").IsAccepted);
    }

    [Fact]
    public void Payload_over_256_KiB_is_rejected_before_parsing()
    {
        var padding = new string(' ', 256 * 1024);
        AssertMessageRejected("{\"seq\":1,\"ts\":\"" + Ts + "\",\"readings\":[]}" + padding, RejectReason.TooLarge, "padded");
    }

    [Fact]
    public void More_than_1000_readings_is_rejected_and_1000_is_accepted()
    {
        string Message(int n) => "{\"seq\":1,\"ts\":\"" + Ts + "\",\"readings\":[" +
            string.Join(",", Enumerable.Range(0, n).Select(i => $"{{\"device\":\"d{i}\",\"metric\":\"temperature\",\"value\":{i},\"ts\":\"{Ts}\"}}")) + "]}";
        AssertMessageRejected(Message(1001), RejectReason.TooManyItems, "1001");
        Assert.Equal(1000, Telemetry(Message(1000)).Value!.Readings.Count);
    }

    [Fact]
    public void More_than_1000_events_is_rejected()
    {
        var events = string.Join(",", Enumerable.Repeat($"{{\"device\":\"d1\",\"type\":\"smoke\",\"state\":\"active\",\"ts\":\"{Ts}\"}}", 1001));
        var result = _decoder.DecodeEvents(Bytes($"{{\"seq\":1,\"ts\":\"{Ts}\",\"events\":[{events}]}}"));
        Assert.Equal(RejectReason.TooManyItems, result.Reason);
    }

    [Theory]
    [InlineData("{\"device\":\"Lab_Fridge\",\"metric\":\"temperature\",\"value\":4,\"ts\":\"" + Ts + "\"}", RejectReason.BadIdentifier)]
    [InlineData("{\"device\":\"\",\"metric\":\"temperature\",\"value\":4,\"ts\":\"" + Ts + "\"}", RejectReason.BadIdentifier)]
    [InlineData("{\"metric\":\"temperature\",\"value\":4,\"ts\":\"" + Ts + "\"}", RejectReason.WrongShape)]
    [InlineData("{\"device\":\"d1\",\"metric\":\"pressure\",\"value\":4,\"ts\":\"" + Ts + "\"}", RejectReason.UnknownMetric)]
    [InlineData("{\"device\":\"d1\",\"metric\":\"Temperature\",\"value\":4,\"ts\":\"" + Ts + "\"}", RejectReason.UnknownMetric)]
    [InlineData("{\"device\":\"d1\",\"metric\":\"temperature\",\"value\":1e999,\"ts\":\"" + Ts + "\"}", RejectReason.NonFiniteValue)]
    [InlineData("{\"device\":\"d1\",\"metric\":\"temperature\",\"value\":-1e400,\"ts\":\"" + Ts + "\"}", RejectReason.NonFiniteValue)]
    [InlineData("{\"device\":\"d1\",\"metric\":\"temperature\",\"value\":\"NaN\",\"ts\":\"" + Ts + "\"}", RejectReason.NonFiniteValue)]
    [InlineData("{\"device\":\"d1\",\"metric\":\"temperature\",\"value\":\"Infinity\",\"ts\":\"" + Ts + "\"}", RejectReason.NonFiniteValue)]
    [InlineData("{\"device\":\"d1\",\"metric\":\"temperature\",\"value\":\"4.2\",\"ts\":\"" + Ts + "\"}", RejectReason.NonNumericValue)]
    [InlineData("{\"device\":\"d1\",\"metric\":\"temperature\",\"value\":true,\"ts\":\"" + Ts + "\"}", RejectReason.NonNumericValue)]
    [InlineData("{\"device\":\"d1\",\"metric\":\"temperature\",\"value\":null,\"ts\":\"" + Ts + "\"}", RejectReason.NonNumericValue)]
    [InlineData("{\"device\":\"d1\",\"metric\":\"temperature\",\"value\":[1],\"ts\":\"" + Ts + "\"}", RejectReason.NonNumericValue)]
    [InlineData("{\"device\":\"d1\",\"metric\":\"temperature\",\"ts\":\"" + Ts + "\"}", RejectReason.WrongShape)]
    [InlineData("{\"device\":\"d1\",\"metric\":\"temperature\",\"value\":4}", RejectReason.MissingTs)]
    [InlineData("{\"device\":\"d1\",\"metric\":\"temperature\",\"value\":4,\"ts\":\"2026-11-28T09:40:00Z\"}", RejectReason.TsInFuture)]
    [InlineData("{\"device\":\"d1\",\"metric\":\"temperature\",\"value\":4,\"ts\":\"noon\"}", RejectReason.BadTs)]
    [InlineData("\"d1\"", RejectReason.WrongShape)]
    public void A_bad_reading_is_rejected_with_its_reason_and_the_good_ones_are_kept(string badReading, RejectReason reason)
    {
        var good = $"{{\"device\":\"d2\",\"metric\":\"temperature\",\"value\":4.5,\"ts\":\"{Ts}\"}}";
        var result = Telemetry($"{{\"seq\":9,\"ts\":\"{Ts}\",\"readings\":[{good},{badReading},{good.Replace("d2", "d3", StringComparison.Ordinal)}]}}");

        Assert.True(result.IsAccepted);
        var rejection = Assert.Single(result.ItemRejections);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(1, rejection.Index);
        Assert.False(string.IsNullOrWhiteSpace(rejection.Detail));
        Assert.Equal(["d2", "d3"], result.Value!.Readings.Select(r => r.Device));
    }

    [Theory]
    [InlineData("{\"device\":\"d1\",\"type\":\"explosion\",\"state\":\"active\",\"ts\":\"" + Ts + "\"}", RejectReason.UnknownEventType)]
    [InlineData("{\"device\":\"d1\",\"type\":\"smoke\",\"state\":\"on\",\"ts\":\"" + Ts + "\"}", RejectReason.BadState)]
    [InlineData("{\"device\":\"d1\",\"type\":\"smoke\",\"state\":\"active\"}", RejectReason.MissingTs)]
    [InlineData("{\"device\":\"D1\",\"type\":\"smoke\",\"state\":\"active\",\"ts\":\"" + Ts + "\"}", RejectReason.BadIdentifier)]
    [InlineData("{\"device\":\"d1\",\"type\":\"smoke\",\"state\":\"active\",\"point\":7,\"ts\":\"" + Ts + "\"}", RejectReason.WrongShape)]
    public void A_bad_event_is_rejected_with_its_reason(string badEvent, RejectReason reason)
    {
        var result = _decoder.DecodeEvents(Bytes($"{{\"seq\":1,\"ts\":\"{Ts}\",\"events\":[{badEvent}]}}"));
        Assert.True(result.IsAccepted);
        Assert.Empty(result.Value!.Events);
        Assert.Equal(reason, Assert.Single(result.ItemRejections).Reason);
    }

    [Theory]
    [InlineData("{\"state\":\"sleeping\",\"ts\":\"" + Ts + "\"}", RejectReason.BadState)]
    [InlineData("{\"state\":\"online\"}", RejectReason.MissingTs)]
    [InlineData("{\"ts\":\"" + Ts + "\"}", RejectReason.WrongShape)]
    [InlineData("{\"state\":\"online\",\"ts\":\"" + Ts + "\",\"spooled\":-3}", RejectReason.WrongShape)]
    [InlineData("offline", RejectReason.NotJson)]
    public void A_bad_status_is_rejected(string payload, RejectReason reason)
    {
        Assert.Equal(reason, _decoder.DecodeStatus(Bytes(payload)).Reason);
    }

    [Fact]
    public void Every_reason_has_a_distinct_snake_case_wire_name()
    {
        var names = Enum.GetValues<RejectReason>().Select(r => r.ToWire()).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.Matches("^[a-z]+(_[a-z]+)*$", n));
    }

    private DecodeResult<TelemetryMessage> Telemetry(string payload) => _decoder.DecodeTelemetry(Bytes(payload));

    private void AssertMessageRejected(string payload, RejectReason reason, string because)
    {
        var result = Telemetry(payload);
        Assert.False(result.IsAccepted, because);
        Assert.Null(result.Value);
        Assert.Equal(reason, result.Reason);
        Assert.False(string.IsNullOrWhiteSpace(result.Detail));
    }

    private static ReadOnlySequence<byte> Bytes(string text) => new(Encoding.UTF8.GetBytes(text));
}
