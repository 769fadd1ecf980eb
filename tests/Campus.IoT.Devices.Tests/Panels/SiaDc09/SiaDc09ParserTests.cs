using System.Text;
using Campus.IoT.Devices.Panels;
using Campus.IoT.Devices.Panels.SiaDc09;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Devices.Tests.Panels.SiaDc09;

/// <summary>
/// SIA DC-09. The frames below are real captures published in public receiver code found with the code search: a Go
/// monitoring agent's DC-09 parser lists captures from PROSEC and HIKVISION panels in a comment block, and a Node.js
/// alarm-receiver script keeps Ajax-style samples in comments. They are logged without their LF/CR, which are added here;
/// every CRC-16/ARC and length in them is theirs and checks out.
/// </summary>
public sealed class SiaDc09ParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 30, 5, TimeSpan.Zero);
    private static readonly PanelContext Context = new("receiver-1", new FakeTimeProvider(Now));

    private static readonly string[] Frames =
    [
        "F92F0043\"ADM-CID\"0020R7896L7896#3456[#3456|1407 00 001]_17:01:14,07-26-2024",
        "D730002F\"NULL\"0000R7896L7896#3456[]_17:01:26,07-26-2024",
        "B0970029\"NULL\"0000L000#0809[]_21:00:01,02-20-2024",
        "F68B003B\"ADM-CID\"0028L0#9757[#9757|1602 00 000]_20:59:45,02-20-2024",
        "B4330036\"SIA-DCS\"0442L000#36214[36214|NRP]_00:00:00,02-21-2024",
        "3F60003C\"SIA-DCS\"0001L0#51449[#51449|Nri0000/LR]_21:26:19,12-20-2023",
        "99820040\"ADM-CID\"1937R15L1#21401[#21401|1602 00 000]_20:59:59,02-20-2024",
        "3C98002F\"ADM-CID\"0056R0L0#XTRM189[#XTRM189|1131 01 009]",
    ];

    public static TheoryData<string> PublicFrames => new(Frames);

    [Theory]
    [MemberData(nameof(PublicFrames))]
    public void Every_public_frame_passes_its_crc_and_length_and_is_acknowledged(string frame)
    {
        var records = ParserHarness.FeedAll(new SiaDc09Parser(Context), Wrap(frame));

        Assert.NotEmpty(records);
        Assert.DoesNotContain(records, r => r.Error?.Reason is "bad_crc" or "bad_length" or "bad_layout");
        var ack = Encoding.ASCII.GetString(records[0].Reply!);
        Assert.Contains("\"ACK\"" + frame[(frame.IndexOf('"', 9) + 1)..][..4], ack, StringComparison.Ordinal);
        AssertFrameChecks(records[0].Reply!);
    }

    [Fact]
    public void A_periodic_test_in_adm_cid_is_a_test_event_and_the_ack_echoes_sequence_receiver_line_and_account()
    {
        var record = Assert.Single(ParserHarness.FeedAll(new SiaDc09Parser(Context), Wrap("99820040\"ADM-CID\"1937R15L1#21401[#21401|1602 00 000]_20:59:59,02-20-2024")));

        Assert.Equal(EventType.Test, record.Event!.Type);
        Assert.Equal("\"ACK\"1937R15L1#21401[]_09:30:05,11-28-2026\r", Encoding.ASCII.GetString(record.Reply!)[9..]);
        AssertFrameChecks(record.Reply!);
    }

    [Fact]
    public void A_null_supervision_frame_is_acknowledged_and_raises_nothing()
    {
        var record = Assert.Single(ParserHarness.FeedAll(new SiaDc09Parser(Context), Wrap("D730002F\"NULL\"0000R7896L7896#3456[]_17:01:26,07-26-2024")));

        Assert.Null(record.Event);
        Assert.Null(record.Error);
        Assert.Contains("\"ACK\"0000R7896L7896#3456[]", Encoding.ASCII.GetString(record.Reply!), StringComparison.Ordinal);
    }

    [Fact]
    public void A_burglary_code_is_acknowledged_but_unknown_here_never_a_fire()
    {
        // 3C98…: ADM-CID 1131 = new event, code 131 (perimeter burglary), group 01, zone 009.
        var record = Assert.Single(ParserHarness.FeedAll(new SiaDc09Parser(Context), Wrap("3C98002F\"ADM-CID\"0056R0L0#XTRM189[#XTRM189|1131 01 009]")));
        Assert.Equal("unknown_event", record.Error!.Reason);
        Assert.NotNull(record.Reply);
    }

    [Fact]
    public void Adm_cid_and_sia_dcs_fire_frames_built_with_the_same_crc_become_fire_events()
    {
        var parser = new SiaDc09Parser(Context);
        var bytes = SiaDc09Parser.Frame("\"ADM-CID\"0007R0L0#1234[#1234|1110 01 015]")
            .Concat(SiaDc09Parser.Frame("\"SIA-DCS\"0008R0L0#1234[#1234|Nri1/FA015/FT016]"))
            .Concat(SiaDc09Parser.Frame("\"SIA-DCS\"0009R0L0#1234[#1234|Nri1/FH015]")).ToArray();

        var records = ParserHarness.FeedAll(parser, bytes);

        Assert.Equal(
            [(EventType.FireAlarm, EventState.Active, "015"), (EventType.FireAlarm, EventState.Active, "015"), (EventType.Trouble, EventState.Active, "016"), (EventType.FireAlarm, EventState.Cleared, "015")],
            records.Select(r => (r.Event!.Type, r.Event.State, r.Event.Point!)));
        Assert.Equal(3, records.Count(r => r.Reply is not null));
    }

    [Fact]
    public void A_wrong_crc_is_an_error_with_a_nak_never_an_event()
    {
        var frame = "F92F0043\"ADM-CID\"0020R7896L7896#3456[#3456|1407 00 001]_17:01:14,07-26-2024".Replace("1407", "1110", StringComparison.Ordinal);

        var record = Assert.Single(ParserHarness.FeedAll(new SiaDc09Parser(Context), Wrap(frame)));

        Assert.Equal("bad_crc", record.Error!.Reason);
        Assert.Contains("\"NAK\"0000R0L0A0[]", Encoding.ASCII.GetString(record.Reply!), StringComparison.Ordinal);
        AssertFrameChecks(record.Reply!);
    }

    [Theory]
    [InlineData("F92F0044\"ADM-CID\"0020R7896L7896#3456[#3456|1407 00 001]_17:01:14,07-26-2024", "bad_length")]
    [InlineData("F92F\"ADM-CID\"", "bad_layout")]
    [InlineData("ZZZZ0043\"ADM-CID\"0020R7896L7896#3456[#3456|1407 00 001]_17:01:14,07-26-2024", "bad_layout")]
    public void A_damaged_header_is_an_error_with_a_nak(string frame, string reason)
    {
        var record = Assert.Single(ParserHarness.FeedAll(new SiaDc09Parser(Context), Wrap(frame)));
        Assert.Equal(reason, record.Error!.Reason);
        Assert.NotNull(record.Reply);
    }

    [Fact]
    public void An_encrypted_frame_is_refused_with_a_nak()
    {
        var record = Assert.Single(ParserHarness.FeedAll(new SiaDc09Parser(Context), SiaDc09Parser.Frame("*\"ADM-CID\"0001R0L0#1234[8A3F…]")));
        Assert.Equal("encrypted_not_supported", record.Error!.Reason);
    }

    [Fact]
    public void A_frame_cut_off_is_truncated_and_noise_before_a_frame_is_counted()
    {
        var parser = new SiaDc09Parser(Context);
        var bytes = Encoding.ASCII.GetBytes("garbage").Concat(Wrap("D730002F\"NULL\"0000R7896L7896#3456[]_17:01:26,07-26-2024")).Concat(Encoding.ASCII.GetBytes("\nF92F0043\"ADM-C")).ToArray();

        var records = ParserHarness.FeedAll(parser, bytes);

        Assert.Equal(2, records.Count);
        Assert.Equal("truncated", records[1].Error!.Reason);
        Assert.Equal(7, parser.NoiseBytes);
    }

    [Fact]
    public void Random_and_mutated_bytes_never_throw()
    {
        ParserHarness.Random_bytes_never_throw(() => new SiaDc09Parser(Context), [.. Frames.Select(Wrap)]);
    }

    [Fact]
    public void Split_anywhere_gives_the_same_records()
    {
        ParserHarness.Split_anywhere_gives_the_same_records(() => new SiaDc09Parser(Context), [.. Wrap("F68B003B\"ADM-CID\"0028L0#9757[#9757|1602 00 000]_20:59:45,02-20-2024"), .. Wrap("B4330036\"SIA-DCS\"0442L000#36214[36214|NRP]_00:00:00,02-21-2024")]);
    }

    private static byte[] Wrap(string frame) => Encoding.ASCII.GetBytes("\n" + frame + "\r");

    /// <summary>A reply is itself a valid frame: LF, CRC-16/ARC and 0LLL over the body, CR.</summary>
    private static void AssertFrameChecks(byte[] reply)
    {
        var text = Encoding.ASCII.GetString(reply);
        Assert.Equal('\n', text[0]);
        Assert.Equal('\r', text[^1]);
        var body = text[9..^1];
        Assert.Equal(Crc16Arc.Compute(Encoding.ASCII.GetBytes(body)).ToString("X4", System.Globalization.CultureInfo.InvariantCulture), text[1..5]);
        Assert.Equal("0" + body.Length.ToString("X3", System.Globalization.CultureInfo.InvariantCulture), text[5..9]);
    }
}
