using System.Text;
using Campus.IoT.Devices.Panels.Printer;

namespace Campus.IoT.Devices.Tests.Panels.Printer;

public sealed class PrinterLineAssemblerTests
{
    [Theory]
    [InlineData("A\r\nB\r\n")]
    [InlineData("A\nB\n")]
    [InlineData("A\rB\r")]
    [InlineData("A\n\rB\n\r")]
    public void Cr_lf_crlf_and_lfcr_all_end_one_line(string input)
    {
        Assert.Equal(["A", "B"], Lines(Encoding.ASCII.GetBytes(input)));
    }

    [Fact]
    public void Two_ends_of_the_same_kind_make_a_blank_line()
    {
        Assert.Equal(["A", "", "B", ""], Lines(Encoding.ASCII.GetBytes("A\r\n\r\nB\n\n")));
    }

    [Fact]
    public void Printer_control_is_removed_and_counted_as_noise()
    {
        // ESC @, ESC E, ESC F, ESC - 1, ESC 2, ESC 3 24, ESC d 3, FS &, FS ., form feed, NUL, DEL, GS V 66 0.
        var noise = new byte[] { 0x1B, 0x40, 0x1B, 0x45, 0x1B, 0x46, 0x1B, 0x2D, 0x01, 0x1B, 0x32, 0x1B, 0x33, 0x18, 0x1B, 0x64, 0x03, 0x1C, 0x26, 0x1C, 0x2E, 0x0C, 0x00, 0x7F, 0x1D, 0x56, 0x42, 0x00 };
        var assembler = new PrinterLineAssembler();
        var lines = new List<PrinterLine>();
        assembler.Feed([.. noise, .. "AB"u8, .. noise, .. "C\r\n"u8], lines);
        Assert.Equal("ABC", Encoding.ASCII.GetString(Assert.Single(lines).Bytes));
        Assert.Equal(2 * noise.Length, assembler.NoiseBytes);
    }

    [Fact]
    public void An_esc_parameter_equal_to_lf_does_not_end_the_line()
    {
        // ESC d 10 feeds ten lines; its parameter byte is 0x0A.
        Assert.Equal(["AB"], Lines([(byte)'A', 0x1B, (byte)'d', 0x0A, (byte)'B', 0x0A]));
    }

    [Fact]
    public void A_lone_esc_before_an_end_of_line_keeps_the_end_of_line()
    {
        Assert.Equal(["A", "B"], Lines([(byte)'A', 0x1B, 0x0A, (byte)'B', 0x0A]));
    }

    [Fact]
    public void Gst_esc_6_and_esc_9_take_no_parameter()
    {
        // From the GST9000 capture: ESC 6 directly followed by the date, ESC 9 directly followed by GB18030 text.
        Assert.Equal(["08", "首次"], Lines([0x1B, (byte)'6', (byte)'0', (byte)'8', 0x0A, 0x1B, (byte)'9', 0xCA, 0xD7, 0xB4, 0xCE, 0x0A], gb18030: true));
    }

    [Fact]
    public void Tab_becomes_a_space()
    {
        Assert.Equal(["A B"], Lines("A\tB\n"u8.ToArray()));
    }

    [Fact]
    public void A_line_over_the_limit_is_reported_once_and_the_next_line_is_whole()
    {
        var assembler = new PrinterLineAssembler(maxLineBytes: 16);
        var lines = new List<PrinterLine>();
        assembler.Feed(Encoding.ASCII.GetBytes(new string('x', 40) + "\nOK\n"), lines);
        Assert.Collection(
            lines,
            l => Assert.Equal((PrinterLineKind.TooLong, 16), (l.Kind, l.Bytes.Length)),
            l => Assert.Equal((PrinterLineKind.Complete, "OK"), (l.Kind, Encoding.ASCII.GetString(l.Bytes))));
        Assert.Equal(24, assembler.NoiseBytes);
    }

    [Fact]
    public void Flush_returns_the_open_line_as_truncated_and_starts_afresh()
    {
        var assembler = new PrinterLineAssembler();
        var lines = new List<PrinterLine>();
        assembler.Feed("DONE\nHALF"u8, lines);
        var open = assembler.Flush();
        Assert.Equal((PrinterLineKind.Truncated, "HALF"), (open!.Value.Kind, Encoding.ASCII.GetString(open.Value.Bytes)));
        Assert.Null(assembler.Flush());
    }

    [Fact]
    public void A_multibyte_character_split_across_reads_is_whole_in_the_line()
    {
        var bytes = PrinterCaptures.Gb("首次火警\n");
        for (var split = 1; split < bytes.Length; split++)
        {
            var assembler = new PrinterLineAssembler();
            var lines = new List<PrinterLine>();
            assembler.Feed(bytes.AsSpan(0, split), lines);
            assembler.Feed(bytes.AsSpan(split), lines);
            Assert.Equal("首次火警", PrinterText.StrictGb18030.GetString(Assert.Single(lines).Bytes));
        }
    }

    private static List<string> Lines(byte[] bytes, bool gb18030 = false)
    {
        var assembler = new PrinterLineAssembler();
        var lines = new List<PrinterLine>();
        assembler.Feed(bytes, lines);
        Assert.Null(assembler.Flush());
        return lines.Select(l => gb18030 ? PrinterText.StrictGb18030.GetString(l.Bytes) : Encoding.ASCII.GetString(l.Bytes)).ToList();
    }
}
