using System.Collections.Concurrent;
using System.Text;
using Campus.IoT.Devices.Panels;
using Campus.IoT.Devices.Panels.Printer;
using Campus.IoT.Gateway.Panels;
using Campus.IoT.Telemetry;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Gateway.Tests.Panels;

/// <summary>The panel reader on a real serial line (a socat pty pair) whose other end dies and comes back.</summary>
public sealed class SerialPanelReaderTests
{
    private readonly CapturedLogs _logs = new();

    [Fact]
    public async Task Events_cross_the_serial_line_and_the_reader_survives_the_panel_end_dying_mid_frame()
    {
        await using var line = new SocatPtyPair();
        await line.StartAsync();
        var events = new ConcurrentQueue<DeviceEvent>();
        await using var reader = new SerialPanelReader(
            new SerialPanelOptions(line.GatewayEnd, "est"),
            () => new EstPrinterParser(new PanelContext("panel-main", TimeProvider.System), labelOnNextLine: false),
            batch =>
            {
                foreach (var e in batch)
                {
                    events.Enqueue(e);
                }

                return Task.CompletedTask;
            },
            TimeProvider.System,
            _logs.CreateLogger("reader"));
        reader.Start();
        await Eventually.True(() => reader.IsOpen, "the port open");

        var first = Encoding.ASCII.GetBytes("SMK ACT | 12:06:56 10/20/2023 L:1 D:126\r\nHEAT ACT | 12:07:01 10/20/2023 L:1 D:127\r\n");
        var half = Encoding.ASCII.GetBytes("PULL ACT | 12:0");
        await using (var panel = line.OpenPanel())
        {
            await panel.WriteAsync(first);
            await Eventually.True(() => events.Count == 2, "two events over the serial line");

            // The panel end dies in the middle of a line: that half line must never become an event.
            await panel.WriteAsync(half);
            await panel.FlushAsync();
            await Eventually.True(() => reader.BytesRead == first.Length + half.Length, "the half line read by the gateway");
        }

        await line.KillAsync();
        await Eventually.True(() => reader.Reopens >= 1, "the reader noticed and began reopening");

        await line.StartAsync();
        await Eventually.True(() => reader.IsOpen, "the port reopened");
        await using (var panel = line.OpenPanel())
        {
            await panel.WriteAsync(Encoding.ASCII.GetBytes("SMK RST | 12:09:00 10/20/2023 L:1 D:126\r\n"));
            await Eventually.True(() => events.Count == 3, "the event after the reconnect");
        }

        Assert.Equal([EventType.Smoke, EventType.Heat, EventType.Smoke], events.Select(e => e.Type));
        Assert.Equal([EventState.Active, EventState.Active, EventState.Cleared], events.Select(e => e.State));
        Assert.DoesNotContain(events, e => e.Type == EventType.ManualCallPoint);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 6202);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 6203 && e.Message.Contains("truncated", StringComparison.Ordinal) && e.Message.Contains("PULL ACT", StringComparison.Ordinal));
        Assert.True(reader.Errors >= 1);
    }

    [Fact]
    public async Task A_device_path_that_disappears_ends_the_port_even_without_a_hang_up()
    {
        // An adapter pulled out: udev removes /dev/ttyUSB0. Here the gateway end's link goes while socat (the pty) lives
        // on, so the open port sees no hang-up at all: only the path check after a quiet read can notice.
        await using var line = new SocatPtyPair();
        await line.StartAsync();
        await using var reader = new SerialPanelReader(
            new SerialPanelOptions(line.GatewayEnd, "est"),
            () => new EstPrinterParser(new PanelContext("panel-main", TimeProvider.System), labelOnNextLine: false),
            _ => Task.CompletedTask,
            TimeProvider.System,
            _logs.CreateLogger("reader"));
        reader.Start();
        await Eventually.True(() => reader.IsOpen, "the port open");

        File.Delete(line.GatewayEnd);

        await Eventually.True(() => reader.Reopens >= 1, "the reader noticed the device path was gone");
        Assert.Contains(_logs.Entries, e => e.Message.Contains("no longer exists", StringComparison.Ordinal));
    }
}
