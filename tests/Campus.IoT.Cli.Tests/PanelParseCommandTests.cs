using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Cli.Tests;

public sealed class PanelParseCommandTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 9, 30, 0, TimeSpan.Zero));

    [Fact]
    public async Task An_est_capture_prints_one_event_json_line_per_event()
    {
        // Edwards iO1000 printer output (jsedintel/FACP-serial-reader-to-Thingsboard, README.md).
        const string capture = "PULL ACT | 12:06:56 10/20/2023 L:1 D:126\r\nSala de pruebas\r\n\r\n\r\nPULL RST | 12:07:35 10/20/2023 L:1 D:126\r\nSala de pruebas\r\n";

        var run = await CliRun.RunAsync(capture, _time, "panel", "parse", "--format", "est", "--device", "panel-main");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(2, run.Lines.Count);
        using var first = JsonDocument.Parse(run.Lines[0]);
        Assert.Equal("panel-main", first.RootElement.GetProperty("device").GetString());
        Assert.Equal("manual_call_point", first.RootElement.GetProperty("type").GetString());
        Assert.Equal("active", first.RootElement.GetProperty("state").GetString());
        Assert.Equal("L1D126", first.RootElement.GetProperty("point").GetString());
        Assert.Equal("Sala de pruebas", first.RootElement.GetProperty("label").GetString());
        Assert.Equal("2026-11-28T09:30:00.000Z", first.RootElement.GetProperty("ts").GetString());
        using var second = JsonDocument.Parse(run.Lines[1]);
        Assert.Equal("cleared", second.RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_gst_capture_in_gb18030_prints_chinese_labels()
    {
        // The GST9000 capture published as hex on http://vgte.net/zjwx/230.html: 首次火警 at 004-004 (smoke detector).
        var capture = Convert.FromHexString("1B3630382F31322F303220203137 3A32340A2020303034 2D3030340A1B39CAD7B4CEBBF0BEAF0AC8B9C2A5D2BBB2E3C9CFBFD50AB8D0D1CCCCBDB2E2C6F70A0A".Replace(" ", string.Empty, StringComparison.Ordinal));

        var run = await CliRun.RunAsync(capture, _time, "panel", "parse", "--format", "gst");

        Assert.Equal(0, run.ExitCode);
        using var e = JsonDocument.Parse(Assert.Single(run.Lines));
        Assert.Equal("smoke", e.RootElement.GetProperty("type").GetString());
        Assert.Equal("004-004", e.RootElement.GetProperty("point").GetString());
        Assert.Contains("感烟", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Units_that_do_not_decode_print_an_error_line_and_exit_1()
    {
        var run = await CliRun.RunAsync("XYZZ ACT | 12:06:56 10/20/2023 L:1 D:126\r\nSomewhere\r\n\r\n", _time, "panel", "parse", "--format", "est");

        Assert.Equal(1, run.ExitCode);
        using var error = JsonDocument.Parse(Assert.Single(run.Lines));
        Assert.False(string.IsNullOrEmpty(error.RootElement.GetProperty("error").GetString()));
        Assert.Contains("XYZZ", error.RootElement.GetProperty("raw").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hex_mode_reads_one_frame_per_line_and_reports_bad_hex()
    {
        var line = Convert.ToHexString(Encoding.ASCII.GetBytes("SMK ACT | 12:06:56 10/20/2023 L:1 D:126\r\n\r\n"));

        var run = await CliRun.RunAsync(line + "\nnot-hex\n", _time, "panel", "parse", "--format", "est", "--hex");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(2, run.Lines.Count);
        Assert.Contains(run.Lines, l => l.Contains("\"type\":\"smoke\"", StringComparison.Ordinal));
        Assert.Contains(run.Lines, l => l.Contains("\"error\":\"bad_hex\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("panel", "parse", "--format", "acme")]
    [InlineData("panel", "parse")]
    [InlineData("panel", "parse", "--format", "est", "--device", "Bad Device")]
    [InlineData("panel", "parse", "--format", "est", "--bogus")]
    [InlineData("frobnicate")]
    public async Task Bad_usage_exits_2_with_a_message(params string[] args)
    {
        var run = await CliRun.RunAsync(string.Empty, _time, args);

        Assert.Equal(2, run.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(run.Stderr));
    }
}
