using Campus.IoT.Devices.Panels;
using Campus.IoT.Devices.Panels.Printer;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Tests.Panels.Printer;

public sealed class NotifierPrinterParserTests
{
    /// <summary>
    /// Lines built from the documented layout (no public English capture was found): keywords and their clearing events
    /// from FieldServer FS-8700-130 "Notifier NCA2/NFS2-3030 Message Types Recognized" (Appendix A.1,
    /// https://manualshive.com/en/manual/fieldserver/nca2-nfs2-3030/2287969?page=13), field order keyword / type code /
    /// label / zone / time hh:mmA / date MMDDYY / address as in the brief and the edintel vector below.
    /// </summary>
    private const string Capture =
        "FIRE ALARM          SMOKE(PHOTO)  3RD FLOOR LAB CORRIDOR  Z003  10:32A 041519 1D012\r\n" +
        "CLEARED FIRE ALARM  SMOKE(PHOTO)  3RD FLOOR LAB CORRIDOR  Z003  10:41A 041519 1D012\r\n" +
        "TROUBL              MONITOR       RISER 2 TAMPER          Z010  10:33A 041519 1M002\r\n" +
        "CLR TBL             MONITOR       RISER 2 TAMPER          Z010  10:35A 041519 1M002\r\n" +
        "SYSTEM RESET  10:40A 041519\r\n" +
        "SYSTEM NORMAL  10:41A 041519\r\n";

    [Fact]
    public void Documented_layout_capture_gives_alarm_trouble_reset_and_normal()
    {
        var records = Parse(Capture);
        Assert.Collection(
            records,
            r => AssertEvent(r, EventType.Smoke, EventState.Active, "1D012", "Z003", "3RD FLOOR LAB CORRIDOR"),
            r => AssertEvent(r, EventType.Smoke, EventState.Cleared, "1D012", "Z003", "3RD FLOOR LAB CORRIDOR"),
            r => AssertEvent(r, EventType.Trouble, EventState.Active, "1M002", "Z010", "RISER 2 TAMPER"),
            r => AssertEvent(r, EventType.Trouble, EventState.Cleared, "1M002", "Z010", "RISER 2 TAMPER"),
            r => AssertEvent(r, EventType.Reset, EventState.Active, null, null, null),
            r => AssertEvent(r, EventType.Reset, EventState.Active, null, null, null));
        Assert.Equal("SYSTEM NORMAL  10:41A 041519", records[5].Event!.Raw);
    }

    [Fact]
    public void Spanish_install_line_is_well_formed_but_unknown()
    {
        // Public vector: edintel/FACP-RCP fix_hybrid_parser.py (see PrinterCaptures.NotifierSpanishSilence).
        var record = Assert.Single(Parse(PrinterCaptures.NotifierSpanishSilence + "\r\n"));
        Assert.Equal(("unknown_event", PrinterCaptures.NotifierSpanishSilence), (record.Error!.Reason, record.Error.Raw));
    }

    [Fact]
    public void A_weekday_after_the_date_is_not_an_address()
    {
        // Trailer "02:49P 010726 Mie" as documented by jsedintel/FACP-serial-reader-to-Thingsboard specific_serial_handler.py.
        var record = Assert.Single(Parse("SYSTEM NORMAL  02:49P 010726 Mie\r\n"));
        AssertEvent(record, EventType.Reset, EventState.Active, null, null, null);
    }

    [Theory]
    [InlineData("FIRE ALARM", "SMOKE(PHOTO)", "smoke", "active")]
    [InlineData("FIRE ALARM", "SMOKE(ION)", "smoke", "active")]
    [InlineData("FIRE ALARM", "SMOKE(DUCTP)", "smoke", "active")]
    [InlineData("FIRE ALARM", "HEAT(FIXED)", "heat", "active")]
    [InlineData("FIRE ALARM", "HEAT(ROR)", "heat", "active")]
    [InlineData("FIRE ALARM", "PULL STATION", "manual_call_point", "active")]
    [InlineData("FIRE ALARM", "WATERFLOW", "waterflow", "active")]
    [InlineData("FIRE ALARM", "MONITOR", "fire_alarm", "active")]
    [InlineData("FIRE ALARM", "ACCLIMATE", "fire_alarm", "active")]
    [InlineData("ALARM:", "SMOKE(PHOTO)", "smoke", "active")]
    [InlineData("ALARM", "HEAT(FIXED)", "heat", "active")]
    [InlineData("CLEARED FIRE ALARM", "PULL STATION", "manual_call_point", "cleared")]
    [InlineData("CLEARED ALARM", "MONITOR", "fire_alarm", "cleared")]
    [InlineData("TROUBLE", "SMOKE(PHOTO)", "trouble", "active")]
    [InlineData("TROUBL", "HEAT(FIXED)", "trouble", "active")]
    [InlineData("CLEARED TROUBLE", "SMOKE(PHOTO)", "trouble", "cleared")]
    [InlineData("CLR TBL", "MONITOR", "trouble", "cleared")]
    [InlineData("SUPERVISORY", "TAMPER", "supervisory", "active")]
    [InlineData("SUPERVISORY", "WATERFLOW S", "supervisory", "active")]
    [InlineData("CLEARED SUPERVISORY", "TAMPER", "supervisory", "cleared")]
    [InlineData("DISABLED", "SMOKE(PHOTO)", "disabled", "active")]
    [InlineData("CLEARED DISABLED", "SMOKE(PHOTO)", "disabled", "cleared")]
    public void Keyword_and_device_type_map_to_the_event_type(string keyword, string device, string type, string state)
    {
        var record = Assert.Single(Parse($"{keyword}  {device}  BOILER ROOM  Z001  08:15P 041519 1D001\r\n"));
        Assert.Equal((type, state, "1D001", "Z001", "BOILER ROOM"), (record.Event!.Type.ToWire(), record.Event.State.ToWire(), record.Event.Point, record.Event.Zone, record.Event.Label));
    }

    [Theory]
    [InlineData("SYSTEM RESET", "reset")]
    [InlineData("SYSTEM NORMAL", "reset")]
    [InlineData("ALARM SILENCED", "silence")]
    [InlineData("ACKNOWLEDGE", "acknowledge")]
    public void System_lines_map_to_panel_actions(string keyword, string type)
    {
        var record = Assert.Single(Parse($"{keyword}  08:15P 041519\r\n"));
        Assert.Equal((type, "active"), (record.Event!.Type.ToWire(), record.Event.State.ToWire()));
    }

    [Fact]
    public void A_device_type_naming_two_classes_stays_fire_alarm()
    {
        var record = Assert.Single(Parse("FIRE ALARM SMOKE(PHOTO) BOILER HEAT ROOM Z001  08:15P 041519 1D001\r\n"));
        Assert.Equal(EventType.FireAlarm, record.Event!.Type);
    }

    [Fact]
    public void Panel_level_addresses_are_kept_as_printed()
    {
        var record = Assert.Single(Parse("TROUBL  AC FAIL  08:15P 041519 N001\r\n"));
        Assert.Equal(("N001", EventType.Trouble), (record.Event!.Point, record.Event.Type));
    }

    [Theory]
    [InlineData("PREALARM  SMOKE(PHOTO)  LAB  Z001  08:15P 041519 1D001")]
    [InlineData("ACTIVE  MONITOR  LAB  Z001  08:15P 041519 1M001")]
    [InlineData("ALARM VERIFY  SMOKE(PHOTO)  LAB  08:15P 041519 1D001")]
    [InlineData("FIRE ALARMS  SMOKE(PHOTO)  LAB  08:15P 041519 1D001")]
    [InlineData("ENABLED  SMOKE(PHOTO)  LAB  08:15P 041519 1D001")]
    public void Unmapped_keywords_are_unknown_event(string line)
    {
        Assert.Equal("unknown_event", Assert.Single(Parse(line + "\r\n")).Error!.Reason);
    }

    [Theory]
    [InlineData("FIRE ALARM  SMOKE(PHOTO)  LAB  Z001  13:15P 041519 1D001")]
    [InlineData("FIRE ALARM  SMOKE(PHOTO)  LAB  Z001  08:75P 041519 1D001")]
    [InlineData("FIRE ALARM  SMOKE(PHOTO)  LAB  Z001  08:15X 041519 1D001")]
    [InlineData("FIRE ALARM  SMOKE(PHOTO)  LAB  Z001  08:15P 133219 1D001")]
    [InlineData("FIRE ALARM  SMOKE(PHOTO)  LAB  Z001  08:15P 04151 1D001")]
    [InlineData("FIRE ALARM  SMOKE(PHOTO)  LAB  Z001  08:15P 041519 1D0@1")]
    [InlineData("FIRE ALARM  SMOKE(PHOTO)  LAB  Z001")]
    [InlineData("FIRE ALARM")]
    public void Corrupted_line_is_an_error_never_an_event(string line)
    {
        var record = Assert.Single(Parse(line + "\r\n"));
        Assert.Equal("bad_layout", record.Error!.Reason);
    }

    [Fact]
    public void A_lost_line_end_running_two_lines_together_is_bad_layout_never_a_misattributed_event()
    {
        var records = Parse("FIRE ALARM  SMOKE(PHOTO)  LAB  Z001  08:15P 041519 1D001\u0000TROUBL  MONITOR  RISER  Z002  08:16P 041519 1M002\r\n");
        Assert.Equal("bad_layout", Assert.Single(records).Error!.Reason);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    [InlineData("\r")]
    [InlineData("\n\r")]
    public void Line_ends_do_not_change_the_events(string end)
    {
        Assert.Equal(Parse(Capture).Select(ParserHarness.Describe), Parse(Capture.Replace("\r\n", end, StringComparison.Ordinal)).Select(ParserHarness.Describe));
    }

    [Fact]
    public void Input_ending_inside_a_line_is_truncated_never_an_event()
    {
        var record = Assert.Single(Parse("FIRE ALARM  SMOKE(PHOTO)  LAB  Z001  08:15P 041519 1D001"));
        Assert.Equal("truncated", record.Error!.Reason);
    }

    [Fact]
    public void An_over_long_line_is_too_long_and_the_next_line_parses()
    {
        var records = Parse(new string('F', 700) + "\r\nSYSTEM RESET  08:15P 041519\r\n");
        Assert.Collection(records, r => Assert.Equal("too_long", r.Error!.Reason), r => Assert.Equal(EventType.Reset, r.Event!.Type));
    }

    [Fact]
    public void Blank_lines_and_rules_are_skipped()
    {
        var parser = new NotifierPrinterParser(PrinterCaptures.Context());
        var records = ParserHarness.FeedAll(parser, PrinterCaptures.Ascii("\r\n\r\n************\r\nSYSTEM RESET  08:15P 041519\r\n\r\n"));
        Assert.Equal(EventType.Reset, Assert.Single(records).Event!.Type);
        Assert.Equal(12, parser.NoiseBytes);
    }

    [Fact]
    public void Noise_between_units_is_skipped_and_counted()
    {
        byte[] noise = [0x1B, 0x40, 0x0C, 0x1B, 0x2D, 0x01, 0x00, 0x1C, 0x2E];
        var noisy = new List<byte>();
        foreach (var line in Capture.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            noisy.AddRange(noise);
            noisy.AddRange(PrinterCaptures.Ascii(line + "\r\n"));
        }

        var parser = new NotifierPrinterParser(PrinterCaptures.Context());
        var records = ParserHarness.FeedAll(parser, [.. noisy]);
        Assert.Equal(Parse(Capture).Select(ParserHarness.Describe), records.Select(ParserHarness.Describe));
        Assert.Equal(noise.Length * 6, parser.NoiseBytes);
    }

    [Fact]
    public void Split_anywhere_gives_the_same_records()
    {
        ParserHarness.Split_anywhere_gives_the_same_records(() => new NotifierPrinterParser(PrinterCaptures.Context()), PrinterCaptures.Ascii(Capture + PrinterCaptures.NotifierSpanishSilence + "\r\n"));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        ParserHarness.Random_bytes_never_throw(
            () => new NotifierPrinterParser(PrinterCaptures.Context()),
            [PrinterCaptures.Ascii(Capture), PrinterCaptures.Ascii(PrinterCaptures.NotifierSpanishSilence + "\r\n")]);
    }

    [Fact]
    public void Mutated_trouble_line_never_turns_into_a_fire_event()
    {
        var capture = PrinterCaptures.Ascii("TROUBL  SMOKE(PHOTO)  3RD FLOOR LAB  Z003  10:33A 041519 1D012\r\n");
        for (var at = 0; at < capture.Length; at++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var mutated = (byte[])capture.Clone();
                mutated[at] ^= (byte)(1 << bit);
                var records = ParserHarness.FeedAll(new NotifierPrinterParser(PrinterCaptures.Context()), mutated);
                Assert.DoesNotContain(records, r => r.Event is { Type: EventType.FireAlarm or EventType.Smoke or EventType.Heat or EventType.ManualCallPoint or EventType.Waterflow });
            }
        }
    }

    private static List<PanelRecord> Parse(string text) =>
        [.. ParserHarness.FeedAll(new NotifierPrinterParser(PrinterCaptures.Context()), PrinterCaptures.Ascii(text))];

    private static void AssertEvent(PanelRecord record, EventType type, EventState state, string? point, string? zone, string? label)
    {
        Assert.NotNull(record.Event);
        Assert.Equal((type, state, point, zone, label), (record.Event.Type, record.Event.State, record.Event.Point, record.Event.Zone, record.Event.Label));
        Assert.Equal(PrinterCaptures.Now, record.Event.Ts);
    }
}
