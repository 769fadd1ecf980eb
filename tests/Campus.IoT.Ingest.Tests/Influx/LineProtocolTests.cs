using System.Text;
using Campus.IoT.Ingest.Influx;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Ingest.Tests.Influx;

public sealed class LineProtocolTests
{
    // 2026-11-28T08:00:00.123Z = 1795852800123 ms since the Unix epoch.
    private static readonly DateTimeOffset T = new(2026, 11, 28, 8, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void A_reading_is_its_metric_with_sorted_tags_a_float_value_and_a_millisecond_timestamp()
    {
        var line = LineProtocol.Reading("school-01", "gw-1", new Reading("lab3-fridge-1", Metrics.Temperature, 4.25, T));

        Assert.Equal("temperature,device=lab3-fridge-1,gateway=gw-1,site=school-01 value=4.25 1795852800123", line);
    }

    [Theory]
    [InlineData(4.0, "4")]
    [InlineData(-12.5, "-12.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e21, "1E+21")]
    [InlineData(-97.33333333333333, "-97.33333333333333")]
    public void Values_are_written_as_round_trippable_invariant_floats_without_an_integer_suffix(double value, string expected)
    {
        var line = LineProtocol.Reading("s", "g", new Reading("d", Metrics.Rssi, value, T));

        Assert.Equal($"rssi,device=d,gateway=g,site=s value={expected} 1795852800123", line);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_non_finite_value_is_refused(double value) =>
        Assert.Throws<ArgumentException>(() => LineProtocol.Reading("s", "g", new Reading("d", Metrics.Temperature, value, T)));

    [Fact]
    public void A_device_event_has_its_type_and_state_as_tags_and_its_panel_detail_and_seq_as_fields()
    {
        var e = new DeviceEvent("panel-main", EventType.FireAlarm, EventState.Active, T)
        {
            Point = "L1D126",
            Zone = "Z3",
            Label = "3F lab corridor",
            Raw = "FIRE ALARM \"L1D126\" C:\\log",
        };

        Assert.Equal(
            "device_event,device=panel-main,gateway=gw-1,site=school-01,state=active,type=fire_alarm "
            + "label=\"3F lab corridor\",point=\"L1D126\",raw=\"FIRE ALARM \\\"L1D126\\\" C:\\\\log\",seq=1043i,zone=\"Z3\" 1795852800123",
            LineProtocol.Event("school-01", "gw-1", 1043, e));
    }

    [Fact]
    public void Event_fields_that_are_null_are_left_out()
    {
        var e = new DeviceEvent("smoke-3f", EventType.Smoke, EventState.Cleared, T);

        Assert.Equal(
            "device_event,device=smoke-3f,gateway=gw-1,site=school-01,state=cleared,type=smoke seq=7i 1795852800123",
            LineProtocol.Event("school-01", "gw-1", 7, e));
    }

    [Fact]
    public void Measurement_names_escape_commas_and_spaces_only()
    {
        Assert.Equal(@"a\ b\,c=d", LineProtocol.AppendMeasurement(new StringBuilder(), "a b,c=d").ToString());
    }

    [Fact]
    public void Tag_keys_and_values_escape_commas_equals_signs_and_spaces()
    {
        Assert.Equal(@",k\=1\ x=v\,a\=b\ c""q", LineProtocol.AppendTag(new StringBuilder(), "k=1 x", "v,a=b c\"q").ToString());
    }

    [Fact]
    public void An_empty_tag_value_is_left_out()
    {
        Assert.Equal(string.Empty, LineProtocol.AppendTag(new StringBuilder(), "zone", string.Empty).ToString());
    }

    [Fact]
    public void String_field_values_escape_double_quotes_and_backslashes_and_keep_commas_equals_and_spaces()
    {
        Assert.Equal(@"""say \""hi\"", a=b \\ c""", LineProtocol.AppendStringValue(new StringBuilder(), @"say ""hi"", a=b \ c").ToString());
    }

    [Fact]
    public void Line_breaks_never_end_a_point_early()
    {
        var e = new DeviceEvent("panel-main", EventType.Trouble, EventState.Active, T) { Raw = "LINE 1\r\nLINE 2" };

        var line = LineProtocol.Event("s", "g", 1, e);

        Assert.Equal("device_event,device=panel-main,gateway=g,site=s,state=active,type=trouble raw=\"LINE 1\\\\r\\\\nLINE 2\",seq=1i 1795852800123", line);
        Assert.DoesNotContain('\n', line);
        Assert.Equal(@"x\ny", LineProtocol.AppendMeasurement(new StringBuilder(), "x\ny").ToString());
    }

    [Fact]
    public void Batches_become_one_line_per_reading_then_per_event_in_order()
    {
        var batches = new[]
        {
            new IngestBatch("s1", "g1", 1, [new Reading("d1", Metrics.Temperature, 1, T), new Reading("d1", Metrics.Humidity, 40, T)], []),
            new IngestBatch("s1", "g1", 2, [new Reading("d2", Metrics.Battery, 99, T.AddSeconds(1))], [new DeviceEvent("p", EventType.Test, EventState.Active, T)]),
        };

        var lines = LineProtocol.Lines(batches);

        Assert.Equal(
            [
                "temperature,device=d1,gateway=g1,site=s1 value=1 1795852800123",
                "humidity,device=d1,gateway=g1,site=s1 value=40 1795852800123",
                "battery,device=d2,gateway=g1,site=s1 value=99 1795852801123",
                "device_event,device=p,gateway=g1,site=s1,state=active,type=test seq=2i 1795852800123",
            ],
            lines);
    }
}
