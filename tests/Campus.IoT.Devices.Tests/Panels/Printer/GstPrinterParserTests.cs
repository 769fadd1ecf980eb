using Campus.IoT.Devices.Panels;
using Campus.IoT.Devices.Panels.Printer;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Tests.Panels.Printer;

public sealed class GstPrinterParserTests
{
    [Fact]
    public void Gst9000_capture_gives_first_alarm_as_smoke_subsequent_alarm_and_reset()
    {
        // Public vector: GST9000 printer capture from vgte.net (see PrinterCaptures.Gst9000).
        var parser = new GstPrinterParser(PrinterCaptures.Context());
        var records = ParserHarness.FeedAll(parser, PrinterCaptures.Gst9000);
        Assert.Collection(
            records,
            r => AssertEvent(r, EventType.Smoke, EventState.Active, "004-004", "裙楼一层上空", "08/12/02  17:24\n004-004\n首次火警\n裙楼一层上空\n感烟探测器"),
            r => AssertEvent(r, EventType.FireAlarm, EventState.Active, "006-007", "中烟六层计划部", "08/12/02  17:21\n006-007\n火警后续\n中烟六层计划部\n感烟探测器"),
            r => AssertEvent(r, EventType.Reset, EventState.Active, null, null, "08/12/02  17:25\n系统复位"));
        Assert.Equal(12, parser.NoiseBytes); // ESC 6 and ESC 9 in each of the three records
    }

    [Theory]
    [InlineData("首次火警", "感烟探测器", "smoke", "active")]
    [InlineData("首次火警", "点型感烟探测器", "smoke", "active")]
    [InlineData("首次火警", "感温探测器", "heat", "active")]
    [InlineData("首次火警", "手动报警按钮", "manual_call_point", "active")]
    [InlineData("首次火警", "消火栓按钮", "manual_call_point", "active")]
    [InlineData("首次火警", "感烟感温复合探测器", "fire_alarm", "active")]
    [InlineData("首次火警", "输入模块", "fire_alarm", "active")]
    [InlineData("火警", "感烟探测器", "fire_alarm", "active")]
    [InlineData("火警后续", "感温探测器", "fire_alarm", "active")]
    [InlineData("故障", "感烟探测器", "trouble", "active")]
    [InlineData("故障恢复", "感烟探测器", "trouble", "cleared")]
    [InlineData("屏蔽", "感烟探测器", "disabled", "active")]
    [InlineData("取消屏蔽", "感烟探测器", "disabled", "cleared")]
    [InlineData("解除屏蔽", "感烟探测器", "disabled", "cleared")]
    [InlineData("屏蔽恢复", "感烟探测器", "disabled", "cleared")]
    [InlineData("监管", "输入模块", "supervisory", "active")]
    [InlineData("监管恢复", "输入模块", "supervisory", "cleared")]
    public void Device_records_map_keyword_and_device_type(string keyword, string device, string type, string state)
    {
        // Records built on the layout of the GST9000 capture, with the keywords of the brief.
        var record = Assert.Single(Parse($"\u001b608/12/02  17:24\n  004-004\n\u001b9{keyword}\n3层化学实验室\n{device}\n\n"));
        Assert.Equal((type, state, "004-004", "3层化学实验室"), (record.Event!.Type.ToWire(), record.Event.State.ToWire(), record.Event.Point, record.Event.Label));
    }

    [Theory]
    [InlineData("系统复位", "reset", "active")]
    [InlineData("复位", "reset", "active")]
    [InlineData("消音", "silence", "active")]
    [InlineData("主电故障", "power_fault", "active")]
    [InlineData("主电故障恢复", "power_fault", "cleared")]
    [InlineData("备电故障", "power_fault", "active")]
    [InlineData("备电故障恢复", "power_fault", "cleared")]
    public void System_records_map_keyword(string keyword, string type, string state)
    {
        var record = Assert.Single(Parse($"\u001b608/12/02  17:25\n  \n\u001b9{keyword}\n\n"));
        Assert.Equal((type, state, (string?)null), (record.Event!.Type.ToWire(), record.Event.State.ToWire(), record.Event.Point));
    }

    [Theory]
    [InlineData("2023-10-20 12:06:56 首次火警 001-023 点型感烟 3层化学实验室", "001-023")]
    [InlineData("首次火警 1回路23号 点型感烟 3层化学实验室", "001-023")]
    [InlineData("首次火警 01号机 001回路 023号 点型感烟 3层化学实验室", "01-001-023")]
    [InlineData("2023年10月20日 12时06分 首次火警：001-023 点型感烟 3层化学实验室", "001-023")]
    public void One_line_records_parse_like_the_gst_record(string line, string point)
    {
        var record = Assert.Single(Parse(line + "\r\n"));
        Assert.Equal((EventType.Smoke, point, "3层化学实验室"), (record.Event!.Type, record.Event.Point, record.Event.Label));
    }

    [Fact]
    public void One_line_records_without_blank_lines_are_separated_by_their_dates()
    {
        var records = Parse("2023-10-20 12:06:56 首次火警 001-023 点型感烟 3层化学实验室\r\n2023-10-20 12:07:10 故障 001-024 感温探测器 3层走廊\r\n");
        Assert.Collection(
            records,
            r => Assert.Equal((EventType.Smoke, "001-023"), (r.Event!.Type, r.Event.Point)),
            r => Assert.Equal((EventType.Trouble, "001-024", "3层走廊"), (r.Event!.Type, r.Event.Point, r.Event.Label)));
    }

    [Fact]
    public void A_label_with_a_range_is_not_mistaken_for_an_address()
    {
        var record = Assert.Single(Parse("首次火警 3-5层楼梯间 感烟探测器\n\n"));
        Assert.Equal(((string?)null, "3-5层楼梯间"), (record.Event!.Point, record.Event.Label));
    }

    [Fact]
    public void A_location_containing_an_alarm_word_does_not_start_an_event()
    {
        // 火警广播机房 (fire broadcast room) as the event line is not the keyword 火警: whole words only.
        var record = Assert.Single(Parse("\u001b608/12/02  17:24\n  004-004\n火警广播机房\n\n"));
        Assert.Equal("unknown_event", record.Error!.Reason);
    }

    [Theory]
    [InlineData("启动")]
    [InlineData("反馈")]
    [InlineData("停止")]
    public void Module_start_feedback_and_stop_are_recognised_and_skipped(string keyword)
    {
        var parser = new GstPrinterParser(PrinterCaptures.Context());
        var records = ParserHarness.FeedAll(parser, PrinterCaptures.Gb($"\u001b608/12/02  17:24\n  003-010\n\u001b9{keyword}\n一层排烟阀\n输出模块\n\n"));
        Assert.Empty(records);
        Assert.Equal(1, parser.IgnoredUnits);
    }

    [Fact]
    public void A_byte_that_is_not_gb18030_makes_the_record_bad_encoding_never_an_event()
    {
        var capture = (byte[])PrinterCaptures.Gst9000.Clone();
        capture[31] = 0xFF; // inside 首次火警
        var records = ParserHarness.FeedAll(new GstPrinterParser(PrinterCaptures.Context()), capture);
        Assert.Equal("bad_encoding", records[0].Error!.Reason);
        Assert.StartsWith("30382F31322F303220203137", records[0].Error!.Raw, StringComparison.Ordinal);
        Assert.Equal([EventType.FireAlarm, EventType.Reset], records.Skip(1).Select(r => r.Event!.Type));
    }

    [Fact]
    public void A_keyword_corrupted_into_other_characters_is_unknown_event()
    {
        var capture = (byte[])PrinterCaptures.Gst9000.Clone();
        capture[36] ^= 0x01; // 警 (BE AF) → another valid character (BF AF)
        var records = ParserHarness.FeedAll(new GstPrinterParser(PrinterCaptures.Context()), capture);
        Assert.Equal("unknown_event", records[0].Error!.Reason);
        Assert.Equal(3, records.Count);
    }

    [Fact]
    public void A_lost_line_end_after_the_keyword_is_unknown_event_never_an_event()
    {
        var record = Assert.Single(Parse("\u001b608/12/02  17:24\n  004-004\n\u001b9首次火警裙楼一层上空\n感烟探测器\n\n"));
        Assert.Equal("unknown_event", record.Error!.Reason);
    }

    [Fact]
    public void A_record_without_an_event_line_is_bad_layout()
    {
        var record = Assert.Single(Parse("\u001b608/12/02  17:24\n  004-004\n\n"));
        Assert.Equal("bad_layout", record.Error!.Reason);
    }

    [Fact]
    public void Unknown_keyword_is_unknown_event()
    {
        var record = Assert.Single(Parse("\u001b608/12/02  17:24\n  \n\u001b9自检\n\n"));
        Assert.Equal(("unknown_event", "08/12/02  17:24\n自检"), (record.Error!.Reason, record.Error.Raw));
    }

    [Fact]
    public void Input_ending_inside_a_line_is_truncated_never_an_event()
    {
        var bytes = PrinterCaptures.Gst9000.AsSpan(0, 35).ToArray(); // ends inside 首次火警
        var record = Assert.Single(ParserHarness.FeedAll(new GstPrinterParser(PrinterCaptures.Context()), bytes));
        Assert.Equal("truncated", record.Error!.Reason);
    }

    [Fact]
    public void Input_ending_before_the_event_line_is_truncated()
    {
        var record = Assert.Single(Parse("\u001b608/12/02  17:24\n  004-004\n"));
        Assert.Equal("truncated", record.Error!.Reason);
    }

    [Fact]
    public void A_complete_record_missing_only_its_blank_line_still_counts_at_end_of_input()
    {
        var record = Assert.Single(Parse("\u001b608/12/02  17:24\n  004-004\n\u001b9首次火警\n裙楼一层上空\n感烟探测器\n"));
        Assert.Equal(EventType.Smoke, record.Event!.Type);
    }

    [Fact]
    public void A_record_over_the_line_limit_is_too_long()
    {
        var lines = string.Concat(Enumerable.Range(1, GstPrinterParser.MaxRecordLines + 1).Select(i => $"第{i}行\n"));
        var records = Parse("首次火警 001-001\n" + lines + "\n");
        Assert.Equal("too_long", records[0].Error!.Reason);
        Assert.DoesNotContain(records, r => r.Event is not null);
    }

    [Fact]
    public void An_over_long_line_is_too_long_and_the_next_record_parses()
    {
        var records = ParserHarness.FeedAll(new GstPrinterParser(PrinterCaptures.Context()), [.. PrinterCaptures.Gb(new string('火', 300) + "\n"), .. PrinterCaptures.Gst9000]);
        Assert.Equal("too_long", records[0].Error!.Reason);
        Assert.Equal([EventType.Smoke, EventType.FireAlarm, EventType.Reset], records.Skip(1).Select(r => r.Event!.Type));
    }

    [Fact]
    public void Crlf_line_ends_give_the_same_records_as_lf()
    {
        var crlf = new List<byte>();
        foreach (var b in PrinterCaptures.Gst9000)
        {
            if (b == 0x0A)
            {
                crlf.Add(0x0D);
            }

            crlf.Add(b);
        }

        Assert.Equal(
            ParserHarness.FeedAll(new GstPrinterParser(PrinterCaptures.Context()), PrinterCaptures.Gst9000).Select(ParserHarness.Describe),
            ParserHarness.FeedAll(new GstPrinterParser(PrinterCaptures.Context()), [.. crlf]).Select(ParserHarness.Describe));
    }

    [Fact]
    public void Noise_between_units_is_skipped_and_counted()
    {
        byte[] noise = [0x1B, 0x40, 0x1C, 0x26, 0x0C, 0x1B, 0x33, 0x18, 0x1C, 0x2E];
        var noisy = new List<byte>();
        var start = 0;
        for (var i = 1; i < PrinterCaptures.Gst9000.Length; i++)
        {
            if (PrinterCaptures.Gst9000[i] == 0x1B && PrinterCaptures.Gst9000[i + 1] == (byte)'6')
            {
                noisy.AddRange(PrinterCaptures.Gst9000.AsSpan(start, i - start).ToArray());
                noisy.AddRange(noise);
                start = i;
            }
        }

        noisy.AddRange(PrinterCaptures.Gst9000.AsSpan(start).ToArray());
        noisy.AddRange(PrinterCaptures.Gb("--------------------\n"));
        var parser = new GstPrinterParser(PrinterCaptures.Context());
        var records = ParserHarness.FeedAll(parser, [.. noisy]);
        Assert.Equal(ParserHarness.FeedAll(new GstPrinterParser(PrinterCaptures.Context()), PrinterCaptures.Gst9000).Select(ParserHarness.Describe), records.Select(ParserHarness.Describe));
        Assert.Equal(12 + (2 * noise.Length) + 20, parser.NoiseBytes);
    }

    [Fact]
    public void Split_anywhere_gives_the_same_records_even_inside_a_character()
    {
        ParserHarness.Split_anywhere_gives_the_same_records(() => new GstPrinterParser(PrinterCaptures.Context()), PrinterCaptures.Gst9000);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        ParserHarness.Random_bytes_never_throw(
            () => new GstPrinterParser(PrinterCaptures.Context()),
            [PrinterCaptures.Gst9000, PrinterCaptures.Gb("2023-10-20 12:06:56 首次火警 001-023 点型感烟 3层化学实验室\r\n")]);
    }

    [Fact]
    public void Mutated_trouble_record_never_turns_into_a_fire_event()
    {
        var capture = PrinterCaptures.Gb("\u001b608/12/02  17:24\n  004-004\n\u001b9故障恢复\n裙楼一层上空\n感烟探测器\n\n");
        for (var at = 0; at < capture.Length; at++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var mutated = (byte[])capture.Clone();
                mutated[at] ^= (byte)(1 << bit);
                var records = ParserHarness.FeedAll(new GstPrinterParser(PrinterCaptures.Context()), mutated);
                Assert.DoesNotContain(records, r => r.Event is { Type: EventType.FireAlarm or EventType.Smoke or EventType.Heat or EventType.ManualCallPoint });
            }
        }
    }

    private static List<PanelRecord> Parse(string text) =>
        [.. ParserHarness.FeedAll(new GstPrinterParser(PrinterCaptures.Context()), PrinterCaptures.Gb(text))];

    private static void AssertEvent(PanelRecord record, EventType type, EventState state, string? point, string? label, string raw)
    {
        Assert.NotNull(record.Event);
        Assert.Equal((type, state, point, label, raw), (record.Event.Type, record.Event.State, record.Event.Point, record.Event.Label, record.Event.Raw));
        Assert.Equal(("panel-main", PrinterCaptures.Now), (record.Event.Device, record.Event.Ts));
    }
}
