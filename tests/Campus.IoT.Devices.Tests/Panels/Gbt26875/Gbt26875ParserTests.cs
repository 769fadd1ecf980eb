using System.Buffers.Binary;
using System.Text;
using Campus.IoT.Devices.Panels;
using Campus.IoT.Devices.Panels.Gbt26875;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Devices.Tests.Panels.Gbt26875;

/// <summary>
/// GB/T 26875.3-2011. No verbatim public capture with a checksum was found; the frames are built byte by byte from the
/// standard's layout (start 40 40, 25-byte control unit, data, 8-bit sum over control unit and data, end 23 23; command
/// and information-type numbers as also listed in the public dgiot project's GB26875 constants, e.g. command 2 = send
/// data, 3 = confirm, 6 = deny; type 1 = system status, 2 = component status), and the checksum is computed here on its own.
/// </summary>
public sealed class Gbt26875ParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 1, 30, 5, TimeSpan.Zero); // 09:30:05 in China
    private static readonly PanelContext Context = new("utd-1", new FakeTimeProvider(Now));
    private static readonly byte[] Source = [0x01, 0x00, 0x00, 0x00, 0x00, 0x00];
    private static readonly byte[] Destination = [0x02, 0x00, 0x00, 0x00, 0x00, 0x00];
    private static readonly Encoding Gb18030 = CodePagesEncodingProvider.Instance.GetEncoding(54936)!;

    [Fact]
    public void A_component_fire_alarm_becomes_a_fire_event_with_its_chinese_description_and_is_confirmed()
    {
        var frame = Frame(0x0102, 2, Component(status: 0b0000_0010, loop: 1, device: 23, description: "3层化学实验室 感烟探测器"));

        var record = Assert.Single(ParserHarness.FeedAll(new Gbt26875Parser(Context), frame));

        var e = record.Event!;
        Assert.Equal(EventType.FireAlarm, e.Type);
        Assert.Equal(EventState.Active, e.State);
        Assert.Equal("3层化学实验室 感烟探测器", e.Label);
        Assert.Equal("001-" + (0x00010017u).ToString("D6", System.Globalization.CultureInfo.InvariantCulture), e.Point);
        Assert.Equal(Convert.ToHexString(frame), e.Raw);

        // The confirm: same serial, addresses swapped, no data, command 3, China time, correct checksum.
        var confirm = record.Reply!;
        Assert.Equal(Gbt26875Frame.OverheadBytes, confirm.Length);
        Assert.Equal(0x0102, BinaryPrimitives.ReadUInt16LittleEndian(confirm.AsSpan(2)));
        Assert.Equal([5, 30, 9, 28, 11, 26], confirm[6..12]);
        Assert.Equal(Destination, confirm[12..18]);
        Assert.Equal(Source, confirm[18..24]);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(confirm.AsSpan(24)));
        Assert.Equal(3, confirm[26]);
        Assert.Equal(IndependentChecksum(confirm.AsSpan(2, 25)), confirm[27]);
        Assert.Equal([0x23, 0x23], confirm[28..]);
    }

    [Fact]
    public void A_component_back_to_normal_clears_what_it_reported_before()
    {
        var parser = new Gbt26875Parser(Context);
        var records = ParserHarness.FeedAll(parser, [
            .. Frame(1, 2, Component(0b0000_0010 | 0b0000_0100, 1, 23, "走廊")),
            .. Frame(2, 2, Component(0b0000_0001, 1, 23, "走廊")),
        ]);

        Assert.Equal(
            [(EventType.FireAlarm, EventState.Active), (EventType.Trouble, EventState.Active), (EventType.FireAlarm, EventState.Cleared), (EventType.Trouble, EventState.Cleared)],
            records.Select(r => (r.Event!.Type, r.Event.State)));
        Assert.Equal(2, records.Count(r => r.Reply is not null));
    }

    [Fact]
    public void System_status_reports_fire_power_faults_and_reset()
    {
        var records = ParserHarness.FeedAll(new Gbt26875Parser(Context), Frame(3, 2, SystemStatus(status: (1 << 1) | (1 << 8) | (1 << 13))));

        Assert.Equal(
            [EventType.FireAlarm, EventType.PowerFault, EventType.Reset],
            records.Select(r => r.Event!.Type));
    }

    [Fact]
    public void Device_operations_report_reset_silence_and_test()
    {
        var data = new byte[] { 24, 1, 0b0100_0011, 0x01, 5, 30, 9, 28, 11, 26 };
        var records = ParserHarness.FeedAll(new Gbt26875Parser(Context), Frame(4, 2, data));

        Assert.Equal([EventType.Reset, EventType.Silence, EventType.Test], records.Select(r => r.Event!.Type));
    }

    [Fact]
    public void A_bad_checksum_is_an_error_answered_with_a_deny_never_an_event()
    {
        var frame = Frame(5, 2, Component(0b10, 1, 23, "x"));
        frame[^3] ^= 0x01;

        var record = Assert.Single(ParserHarness.FeedAll(new Gbt26875Parser(Context), frame));

        Assert.Equal("bad_checksum", record.Error!.Reason);
        Assert.Equal(6, record.Reply![26]);
    }

    [Fact]
    public void Every_single_bit_flip_in_the_data_of_a_trouble_frame_never_becomes_a_fire()
    {
        var frame = Frame(6, 2, Component(0b100, 1, 23, "走廊"));
        for (var i = 2; i < frame.Length - 3; i++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var corrupted = (byte[])frame.Clone();
                corrupted[i] ^= (byte)(1 << bit);
                var records = ParserHarness.FeedAll(new Gbt26875Parser(Context), corrupted);
                Assert.DoesNotContain(records, r => r.Event?.Type == EventType.FireAlarm);
            }
        }
    }

    [Fact]
    public void A_wrong_end_and_a_cut_off_frame_are_errors_and_the_parser_finds_the_next_frame()
    {
        var broken = Frame(7, 2, Component(0b10, 1, 23, "a"));
        broken[^1] = 0x00;
        var good = Frame(8, 2, Component(0b10, 1, 24, "b"));
        var cut = Frame(9, 2, Component(0b10, 1, 25, "c"))[..30];
        var parser = new Gbt26875Parser(Context);

        var records = ParserHarness.FeedAll(parser, [.. Encoding.ASCII.GetBytes("noise"), .. broken, .. good, .. cut]);

        Assert.Equal("bad_end", records[0].Error!.Reason);
        Assert.Contains(records, r => r.Event is { Type: EventType.FireAlarm } e && e.Point!.EndsWith("65560", StringComparison.Ordinal));
        Assert.Equal("truncated", records[^1].Error!.Reason);
        Assert.True(parser.NoiseBytes >= 5);
    }

    [Fact]
    public void An_unknown_information_type_is_unknown_but_still_confirmed()
    {
        var record = Assert.Single(ParserHarness.FeedAll(new Gbt26875Parser(Context), Frame(10, 2, [3, 1, 1, 1, 1, 1, 0, 0, 0, 0, 5, 30, 9, 28, 11, 26])));
        Assert.Equal("unknown_event", record.Error!.Reason);
        Assert.Equal(3, record.Reply![26]);
    }

    [Fact]
    public void A_count_that_does_not_match_the_data_is_a_layout_error()
    {
        var data = Component(0b10, 1, 23, "x");
        data[1] = 2;
        var record = Assert.Single(ParserHarness.FeedAll(new Gbt26875Parser(Context), Frame(11, 2, data)));
        Assert.Equal("bad_layout", record.Error!.Reason);
    }

    [Fact]
    public void Random_and_mutated_bytes_never_throw()
    {
        ParserHarness.Random_bytes_never_throw(() => new Gbt26875Parser(Context), [Frame(1, 2, Component(0b10, 1, 23, "走廊")), Frame(2, 2, SystemStatus(0b1))]);
    }

    [Fact]
    public void Split_anywhere_gives_the_same_records()
    {
        ParserHarness.Split_anywhere_gives_the_same_records(() => new Gbt26875Parser(Context), [.. Frame(1, 2, Component(0b10, 1, 23, "走廊")), .. Frame(2, 2, Component(0b1, 1, 23, "走廊"))]);
    }

    /// <summary>A frame written out byte by byte from the standard's layout, with its checksum computed here.</summary>
    private static byte[] Frame(ushort serial, byte command, byte[] data)
    {
        var frame = new List<byte> { 0x40, 0x40, (byte)serial, (byte)(serial >> 8), 1, 0, 5, 30, 9, 28, 11, 26 };
        frame.AddRange(Source);
        frame.AddRange(Destination);
        frame.AddRange([(byte)data.Length, (byte)(data.Length >> 8), command]);
        frame.AddRange(data);
        frame.Add(IndependentChecksum(frame.ToArray().AsSpan(2)));
        frame.AddRange([0x23, 0x23]);
        return [.. frame];
    }

    private static byte IndependentChecksum(ReadOnlySpan<byte> bytes)
    {
        var sum = 0;
        foreach (var b in bytes)
        {
            sum = (sum + b) & 0xFF;
        }

        return (byte)sum;
    }

    /// <summary>Type 2, one object: system type 1 (fire alarm system), address 1, component type 21 (smoke), address, status, description, time.</summary>
    private static byte[] Component(int status, int loop, int device, string description)
    {
        var o = new byte[2 + 46];
        o[0] = 2;
        o[1] = 1;
        o[2] = 1;
        o[3] = 1;
        o[4] = 21;
        BinaryPrimitives.WriteUInt32LittleEndian(o.AsSpan(5), (uint)((loop << 16) | device));
        BinaryPrimitives.WriteUInt16LittleEndian(o.AsSpan(9), (ushort)status);
        Gb18030.GetBytes(description).CopyTo(o.AsSpan(11, 31));
        new byte[] { 5, 30, 9, 28, 11, 26 }.CopyTo(o.AsSpan(42));
        return o;
    }

    private static byte[] SystemStatus(int status)
    {
        var o = new byte[] { 1, 1, 1, 1, 0, 0, 5, 30, 9, 28, 11, 26 };
        BinaryPrimitives.WriteUInt16LittleEndian(o.AsSpan(4), (ushort)status);
        return o;
    }
}
