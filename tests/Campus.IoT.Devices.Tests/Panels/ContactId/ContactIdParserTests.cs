using System.Text;
using Campus.IoT.Devices.Panels;
using Campus.IoT.Devices.Panels.ContactId;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Devices.Tests.Panels.ContactId;

/// <summary>
/// Contact ID (SIA DC-05). The layout <c>ACCT MT Q XYZ GG CCC S</c> and the check rule (sum of the 16 digits, a 0 digit
/// counting 10, a multiple of 15) are those of DC-05; the same rule is implemented in the public lifesospy project
/// (lifesospy/contactid.py: <c>check_val += (check_digit if not check_digit == 0 else 10)</c>, <c>check_val % 15</c>).
/// No public capture with check digits was found, so the vectors are built from that layout, and the check digit of each
/// is computed here independently of the code under test.
/// </summary>
public sealed class ContactIdParserTests
{
    private static readonly PanelContext Context = new("panel-main", new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 30, 0, TimeSpan.Zero)));

    [Theory]
    [InlineData("1234 18 1 110 01 015", EventType.FireAlarm, EventState.Active)]
    [InlineData("1234 18 1 111 01 007", EventType.Smoke, EventState.Active)]
    [InlineData("1234 18 3 111 01 007", EventType.Smoke, EventState.Cleared)]
    [InlineData("5678 18 1 115 02 031", EventType.ManualCallPoint, EventState.Active)]
    [InlineData("5678 18 1 114 02 032", EventType.Heat, EventState.Active)]
    [InlineData("5678 98 1 113 01 004", EventType.Waterflow, EventState.Active)]
    [InlineData("0001 18 1 200 01 001", EventType.Supervisory, EventState.Active)]
    [InlineData("0001 18 1 373 01 009", EventType.Trouble, EventState.Active)]
    [InlineData("0001 18 3 373 01 009", EventType.Trouble, EventState.Cleared)]
    [InlineData("0001 18 1 301 00 000", EventType.PowerFault, EventState.Active)]
    [InlineData("0001 18 1 602 00 000", EventType.Test, EventState.Active)]
    public void A_valid_message_becomes_its_event(string fifteen, EventType type, EventState state)
    {
        var line = fifteen + " " + IndependentCheckDigit(fifteen);

        var record = Assert.Single(ParserHarness.FeedAll(new ContactIdParser(Context), Encoding.ASCII.GetBytes(line + "\r\n")));

        var e = record.Event!;
        Assert.Equal(type, e.Type);
        Assert.Equal(state, e.State);
        Assert.Equal("panel-main", e.Device);
        Assert.Equal(fifteen[^3..], e.Point);
        Assert.Equal("G" + fifteen[^6..^4], e.Zone);
        Assert.Equal(line, e.Raw);
    }

    [Fact]
    public void A_status_report_is_active_and_says_so()
    {
        var fifteen = "1234 18 6 373 01 009";
        var e = Assert.Single(ParserHarness.FeedAll(new ContactIdParser(Context), Encoding.ASCII.GetBytes($"{fifteen} {IndependentCheckDigit(fifteen)}\n"))).Event!;
        Assert.Equal(EventState.Active, e.State);
        Assert.Contains("status", e.Label, StringComparison.Ordinal);
    }

    [Fact]
    public void The_digits_may_come_without_spaces()
    {
        var fifteen = "123418111001015";
        var e = Assert.Single(ParserHarness.FeedAll(new ContactIdParser(Context), Encoding.ASCII.GetBytes(fifteen + IndependentCheckDigit(fifteen) + "\r\n"))).Event!;
        Assert.Equal(EventType.FireAlarm, e.Type);
    }

    [Fact]
    public void Every_single_digit_change_is_caught_by_the_check_digit_never_read_as_another_event()
    {
        var fifteen = "1234 18 3 373 01 009"; // a trouble restore: a corrupted copy must not become a fire alarm
        var digits = (fifteen + IndependentCheckDigit(fifteen)).Replace(" ", string.Empty, StringComparison.Ordinal);
        const string alphabet = "0123456789BCDEF";
        for (var position = 0; position < 16; position++)
        {
            foreach (var replacement in alphabet.Where(c => c != digits[position]))
            {
                var corrupted = digits[..position] + replacement + digits[(position + 1)..];
                var record = Assert.Single(ParserHarness.FeedAll(new ContactIdParser(Context), Encoding.ASCII.GetBytes(corrupted + "\r\n")));
                Assert.Null(record.Event);
                Assert.Contains(record.Error!.Reason, new[] { "bad_checksum", "bad_layout" });
            }
        }
    }

    [Theory]
    [InlineData("1234 18 1 110 01 01", "bad_layout")]
    [InlineData("1234 18 1 110 01 0155 7", "bad_layout")]
    [InlineData("1234 18 1 11X 01 015 8", "bad_layout")]
    [InlineData("hello world", "bad_layout")]
    public void A_malformed_line_is_an_error(string line, string reason)
    {
        var record = Assert.Single(ParserHarness.FeedAll(new ContactIdParser(Context), Encoding.ASCII.GetBytes(line + "\r\n")));
        Assert.Equal(reason, record.Error!.Reason);
        Assert.Equal(line, record.Error.Raw);
    }

    [Theory]
    [InlineData("1234 17 1 110 01 015")] // message type must be 18 or 98
    [InlineData("1234 18 2 110 01 015")] // qualifier must be 1, 3 or 6
    public void A_valid_checksum_does_not_excuse_a_bad_field(string fifteen)
    {
        var record = Assert.Single(ParserHarness.FeedAll(new ContactIdParser(Context), Encoding.ASCII.GetBytes($"{fifteen} {IndependentCheckDigit(fifteen)}\r\n")));
        Assert.Equal("bad_layout", record.Error!.Reason);
    }

    [Theory]
    [InlineData("1234 18 1 401 01 003")] // opening by user: no fire-safety meaning here
    [InlineData("1234 18 1 130 01 003")] // burglary
    public void A_code_without_a_fire_safety_meaning_is_unknown_not_guessed(string fifteen)
    {
        var record = Assert.Single(ParserHarness.FeedAll(new ContactIdParser(Context), Encoding.ASCII.GetBytes($"{fifteen} {IndependentCheckDigit(fifteen)}\r\n")));
        Assert.Equal("unknown_event", record.Error!.Reason);
    }

    [Fact]
    public void A_message_cut_off_at_the_end_of_input_is_truncated()
    {
        var record = Assert.Single(ParserHarness.FeedAll(new ContactIdParser(Context), "1234 18 1 110"u8));
        Assert.Equal("truncated", record.Error!.Reason);
    }

    [Fact]
    public void Printer_control_between_messages_is_skipped_and_counted()
    {
        var simulator = new ContactIdSimulator();
        var bytes = new List<byte> { 0x1B, (byte)'@' };
        bytes.AddRange(simulator.Line('1', 111, 1, 7));
        bytes.AddRange(new byte[] { 0x0C, 0x00 });
        bytes.AddRange(simulator.Line('3', 111, 1, 7));
        var parser = new ContactIdParser(Context);

        var records = ParserHarness.FeedAll(parser, bytes.ToArray());

        Assert.Equal([EventState.Active, EventState.Cleared], records.Select(r => r.Event!.State));
        Assert.Equal(4, parser.NoiseBytes);
    }

    [Fact]
    public void Every_mapped_code_round_trips_through_the_simulator()
    {
        var simulator = new ContactIdSimulator(seed: 5);
        foreach (var code in ContactIdCodes.Known)
        {
            var e = Assert.Single(ParserHarness.FeedAll(new ContactIdParser(Context), simulator.Line('1', code, 3, 42))).Event!;
            Assert.True(ContactIdCodes.TryMap(code, out var expected));
            Assert.Equal(expected, e.Type);
            Assert.Equal("042", e.Point);
        }
    }

    [Fact]
    public void Random_and_mutated_bytes_never_throw()
    {
        var simulator = new ContactIdSimulator(seed: 7);
        ParserHarness.Random_bytes_never_throw(() => new ContactIdParser(Context), [simulator.Stream(5), simulator.Stream(1)]);
    }

    [Fact]
    public void Split_anywhere_gives_the_same_records()
    {
        ParserHarness.Split_anywhere_gives_the_same_records(() => new ContactIdParser(Context), new ContactIdSimulator(seed: 9).Stream(4));
    }

    /// <summary>The DC-05 rule written out on its own: the digit that brings the sum (0 counting 10) to a multiple of 15.</summary>
    private static char IndependentCheckDigit(string fifteen)
    {
        var sum = fifteen.Where(c => c != ' ').Sum(c => c == '0' ? 10 : Convert.ToInt32(c.ToString(), 16));
        for (var v = 1; v <= 15; v++)
        {
            if ((sum + v) % 15 == 0)
            {
                return v == 10 ? '0' : v.ToString("X", System.Globalization.CultureInfo.InvariantCulture)[0];
            }
        }

        throw new InvalidOperationException("unreachable");
    }
}
