using System.Text;
using Campus.IoT.Devices.Panels;
using Campus.IoT.Devices.Panels.Printer;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Tests.Panels.Printer;

public sealed class EstPrinterParserTests
{
    private static readonly string[] FireTypes = ["fire_alarm", "smoke", "heat", "manual_call_point", "waterflow"];

    [Fact]
    public void Io1000_readme_capture_gives_the_pull_station_and_reports_the_pseudo_points()
    {
        // Public vector: jsedintel/FACP-serial-reader-to-Thingsboard README.md (see PrinterCaptures.Io1000Readme).
        var records = Parse(PrinterCaptures.Io1000Readme);
        Assert.Collection(
            records.Select(ParserHarness.Describe),
            r => Assert.Equal("event panel-main manual_call_point active point=L1D126 zone= label=Sala de pruebas raw=PULL ACT | 12:06:56 10/20/2023 L:1 D:126\nSala de pruebas reply=", r),
            r => Assert.Equal("error unknown_event raw=PROB ACT | 12:07:13 10/20/2023     E:045\nSilencio Senales reply=", r),
            r => Assert.Equal("error unknown_event raw=MON ACT  | 12:07:13 10/20/2023     E:042\nReinicio reply=", r),
            r => Assert.Equal("event panel-main manual_call_point cleared point=L1D126 zone= label=Sala de pruebas raw=PULL RST | 12:07:35 10/20/2023 L:1 D:126\nSala de pruebas reply=", r),
            r => Assert.Equal("error unknown_event raw=PROB RST | 12:07:35 10/20/2023     E:045\nSilencio Senales reply=", r),
            r => Assert.Equal("error unknown_event raw=MON RST  | 12:07:35 10/20/2023     E:042\nReinicio reply=", r));
    }

    [Fact]
    public void Kidde_manual_examples_give_trouble_zone_alarm_and_device_alarm()
    {
        // Public vector: Kidde VS1/VS4 and FX-64 manuals, "Event printout examples" (see PrinterCaptures.KiddeManualExamples).
        var events = Parse(PrinterCaptures.KiddeManualExamples);
        Assert.Collection(
            events,
            r => AssertEvent(r, EventType.Trouble, EventState.Active, "A008", null, "Annunciator 08"),
            r => Assert.Equal("unknown_event", r.Error!.Reason),
            r => AssertEvent(r, EventType.FireAlarm, EventState.Active, null, "Z008", "Zone 08"),
            r => AssertEvent(r, EventType.FireAlarm, EventState.Active, "L1D124", null, "Loop 1 Device 124"));
    }

    [Theory]
    [InlineData("SMK", "smoke")]
    [InlineData("DUCT", "smoke")]
    [InlineData("HEAT", "heat")]
    [InlineData("PULL", "manual_call_point")]
    [InlineData("WFLW", "waterflow")]
    [InlineData("ALRM", "fire_alarm")]
    [InlineData("SUPV", "supervisory")]
    [InlineData("TRBL", "trouble")]
    [InlineData("DSBL", "disabled")]
    [InlineData("TEST", "test")]
    [InlineData("HUMO", "smoke")]
    [InlineData("DUCTO", "smoke")]
    [InlineData("CALOR", "heat")]
    [InlineData("EST MAN", "manual_call_point")]
    [InlineData("FLUJ", "waterflow")]
    [InlineData("FALL", "trouble")]
    [InlineData("DESH", "disabled")]
    [InlineData("PRBA", "test")]
    public void Families_map_to_event_types_for_act_and_rst(string family, string type)
    {
        // Family names: jsedintel/FACP-serial-reader-to-Thingsboard config/eventSeverityLevels.yml (panel 10001, iO1000,
        // English and Spanish); lines built from the documented layout of the brief and the README capture.
        foreach (var (suffix, state) in new[] { ("ACT", "active"), ("RST", "cleared") })
        {
            var record = Assert.Single(Parse($"{family} {suffix} | 12:06:56 10/20/2023 L:1 D:126\r\n3F lab corridor\r\n\r\n"));
            Assert.Equal((type, state, "L1D126", "3F lab corridor"), (record.Event!.Type.ToWire(), record.Event.State.ToWire(), record.Event.Point, record.Event.Label));
        }
    }

    [Theory]
    [InlineData("MON")]
    [InlineData("PROB")]
    [InlineData("PALM")]
    [InlineData("ALMV")]
    [InlineData("COAL")]
    [InlineData("COSU")]
    [InlineData("COMO")]
    [InlineData("MANT")]
    public void Unmapped_families_are_unknown_event_with_their_label_in_raw(string family)
    {
        var record = Assert.Single(Parse($"{family} ACT | 12:06:56 10/20/2023 L:1 D:126\r\nLab 3\r\n\r\n"));
        Assert.Equal(("unknown_event", $"{family} ACT | 12:06:56 10/20/2023 L:1 D:126\nLab 3"), (record.Error!.Reason, record.Error.Raw));
    }

    [Fact]
    public void A_module_address_keeps_its_letter()
    {
        var record = Assert.Single(Parse("WFLW ACT | 12:06:56 10/20/2023 L:2 M:005\r\nRiser 2\r\n\r\n"));
        Assert.Equal("L2M005", record.Event!.Point);
    }

    [Theory]
    [InlineData("SMK ACT | 12:6x:56 10/20/2023 L:1 D:126", "bad_layout")]
    [InlineData("SMK ACT | 25:06:56 10/20/2023 L:1 D:126", "bad_layout")]
    [InlineData("SMK ACT | 12:06:56 13/20/2023 L:1 D:126", "bad_layout")]
    [InlineData("SMK ACX | 12:06:56 10/20/2023 L:1 D:126", "bad_layout")]
    [InlineData("SMK ACT | 12:06:56 10/20/2023 L:1 D126", "bad_layout")]
    [InlineData("SMK ACT   12:06:56 10/20/2023 L:1 D:126", "unknown_event")]
    [InlineData("SMJ ACT | 12:06:56 10/20/2023 L:1 D:126", "unknown_event")]
    [InlineData("SMK ACT | 12:06:56 10/20/2023 L:1 D:126 X", "bad_layout")]
    [InlineData("SMK ACT | 12:06:56 10/20/2023 L:1 D:126Lab 3", "bad_layout")]
    public void Corrupted_header_is_an_error_never_an_event(string header, string reason)
    {
        var records = Parse(header + "\r\nLab 3\r\n\r\n");
        Assert.DoesNotContain(records, r => r.Event is not null);
        Assert.Equal(reason, records[0].Error!.Reason);
    }

    [Fact]
    public void A_corrupted_header_swallows_its_label_line()
    {
        var records = Parse("SMK ACT | 12:6x:56 10/20/2023 L:1 D:126\r\nLab 3\r\n\r\nHEAT ACT | 12:07:00 10/20/2023 L:1 D:127\r\nLab 4\r\n\r\n");
        Assert.Collection(
            records,
            r => Assert.Equal("bad_layout", r.Error!.Reason),
            r => AssertEvent(r, EventType.Heat, EventState.Active, "L1D127", null, "Lab 4"));
    }

    [Fact]
    public void Input_ending_inside_a_line_is_truncated_and_a_complete_header_before_it_still_counts()
    {
        var records = Parse("SMK ACT | 12:06:56 10/20/2023 L:1 D:126\r\nLab");
        Assert.Collection(
            records,
            r => AssertEvent(r, EventType.Smoke, EventState.Active, "L1D126", null, null),
            r => Assert.Equal(("truncated", "Lab"), (r.Error!.Reason, r.Error.Raw)));
    }

    [Fact]
    public void A_truncated_header_is_never_an_event()
    {
        var records = Parse("SMK ACT | 12:06:56 10/2");
        Assert.Equal("truncated", Assert.Single(records).Error!.Reason);
    }

    [Fact]
    public void An_over_long_line_is_too_long_and_the_next_event_parses()
    {
        var records = Parse(new string('A', 600) + "\r\nHEAT ACT | 12:07:00 10/20/2023 L:1 D:127\r\nLab 4\r\n\r\n");
        Assert.Collection(
            records,
            r => Assert.Equal("too_long", r.Error!.Reason),
            r => AssertEvent(r, EventType.Heat, EventState.Active, "L1D127", null, "Lab 4"));
    }

    [Fact]
    public void Text_without_a_header_is_unknown_event()
    {
        var record = Assert.Single(Parse("Outputs are latched\r\n"));
        Assert.Equal(("unknown_event", "Outputs are latched"), (record.Error!.Reason, record.Error.Raw));
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    [InlineData("\r")]
    public void Line_ends_do_not_change_the_events(string end)
    {
        var whole = Parse(PrinterCaptures.Io1000Readme).Select(ParserHarness.Describe);
        Assert.Equal(whole, Parse(PrinterCaptures.Io1000Readme.Replace("\r\n", end, StringComparison.Ordinal)).Select(ParserHarness.Describe));
    }

    [Fact]
    public void A_header_is_emitted_as_soon_as_its_label_line_ends()
    {
        var parser = new EstPrinterParser(PrinterCaptures.Context());
        Assert.Empty(parser.Feed("SMK ACT | 12:06:56 10/20/2023 L:1 D:126\r\n"u8));
        Assert.Equal("Lab 3", Assert.Single(parser.Feed("Lab 3\r\n"u8)).Event!.Label);
    }

    [Fact]
    public void Without_label_lines_a_header_is_emitted_the_moment_it_ends()
    {
        var parser = new EstPrinterParser(PrinterCaptures.Context(), labelOnNextLine: false);
        var record = Assert.Single(parser.Feed("SMK ACT | 12:06:56 10/20/2023 L:1 D:126\r\n"u8));
        Assert.Equal((EventType.Smoke, (string?)null), (record.Event!.Type, record.Event.Label));
    }

    [Fact]
    public void Event_time_is_the_gateway_clock_not_the_panel_clock()
    {
        var record = Assert.Single(Parse("SMK ACT | 12:06:56 10/20/2023 L:1 D:126\r\nLab 3\r\n"));
        Assert.Equal(PrinterCaptures.Now, record.Event!.Ts);
    }

    [Fact]
    public void Noise_between_units_is_skipped_and_counted()
    {
        byte[] noise = [0x1B, 0x40, 0x0C, 0x00, 0x1B, 0x64, 0x03, 0x1C, 0x26];
        var clean = PrinterCaptures.Ascii(PrinterCaptures.KiddeManualExamples);
        var noisy = new List<byte>(noise);
        foreach (var line in PrinterCaptures.KiddeManualExamples.Split("\r\n"))
        {
            noisy.AddRange(PrinterCaptures.Ascii(line + "\r\n"));
            noisy.AddRange(noise);
        }

        noisy.AddRange(PrinterCaptures.Ascii("-----------------\r\n"));
        var parser = new EstPrinterParser(PrinterCaptures.Context());
        var records = ParserHarness.FeedAll(parser, [.. noisy]);
        Assert.Equal(ParserHarness.FeedAll(new EstPrinterParser(PrinterCaptures.Context()), clean).Select(ParserHarness.Describe), records.Select(ParserHarness.Describe));
        Assert.Equal((noise.Length * (PrinterCaptures.KiddeManualExamples.Split("\r\n").Length + 1)) + "-----------------".Length, parser.NoiseBytes);
    }

    [Fact]
    public void Split_anywhere_gives_the_same_records()
    {
        ParserHarness.Split_anywhere_gives_the_same_records(() => new EstPrinterParser(PrinterCaptures.Context()), PrinterCaptures.Ascii(PrinterCaptures.Io1000Readme + PrinterCaptures.KiddeManualExamples));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        ParserHarness.Random_bytes_never_throw(
            () => new EstPrinterParser(PrinterCaptures.Context()),
            [PrinterCaptures.Ascii(PrinterCaptures.Io1000Readme), PrinterCaptures.Ascii(PrinterCaptures.KiddeManualExamples)]);
    }

    [Fact]
    public void Mutated_captures_never_turn_into_a_fire_event_that_was_not_printed()
    {
        // Flip one byte anywhere in a capture holding only a trouble event: no fire-class event may come out.
        var capture = PrinterCaptures.Ascii("TRBL ACT | 18:00:07 01/01/2007 L:1 D:124\r\nLoop 1 Device 124\r\n\r\n");
        for (var at = 0; at < capture.Length; at++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var mutated = (byte[])capture.Clone();
                mutated[at] ^= (byte)(1 << bit);
                var records = ParserHarness.FeedAll(new EstPrinterParser(PrinterCaptures.Context()), mutated);
                Assert.DoesNotContain(records, r => r.Event is { } e && FireTypes.Contains(e.Type.ToWire()));
            }
        }
    }

    private static List<PanelRecord> Parse(string text) =>
        [.. ParserHarness.FeedAll(new EstPrinterParser(PrinterCaptures.Context()), Encoding.Latin1.GetBytes(text))];

    private static void AssertEvent(PanelRecord record, EventType type, EventState state, string? point, string? zone, string? label)
    {
        Assert.NotNull(record.Event);
        Assert.Equal((type, state, point, zone, label), (record.Event.Type, record.Event.State, record.Event.Point, record.Event.Zone, record.Event.Label));
        Assert.Equal("panel-main", record.Event.Device);
    }
}
