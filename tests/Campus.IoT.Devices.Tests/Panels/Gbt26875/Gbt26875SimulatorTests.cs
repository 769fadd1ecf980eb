using Campus.IoT.Devices.Panels;
using Campus.IoT.Devices.Panels.Gbt26875;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Devices.Tests.Panels.Gbt26875;

public sealed class Gbt26875SimulatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 1, 30, 0, TimeSpan.Zero);
    private static readonly PanelContext Context = new("utd-1", new FakeTimeProvider(Now));

    [Fact]
    public void A_simulated_fire_frame_parses_back_with_its_description_and_is_confirmed()
    {
        var frame = new Gbt26875Simulator().Component(0b10, 2, 7, "食堂 厨房 感温探测器", Now);

        var record = Assert.Single(ParserHarness.FeedAll(new Gbt26875Parser(Context), frame));

        Assert.Equal(EventType.FireAlarm, record.Event!.Type);
        Assert.Equal("食堂 厨房 感温探测器", record.Event.Label);
        Assert.Equal(3, record.Reply![26]);
    }

    [Fact]
    public void A_seeded_stream_is_the_same_every_time_and_every_frame_checks_out()
    {
        var a = new Gbt26875Simulator(seed: 5).Stream(40, Now);
        Assert.Equal(a, new Gbt26875Simulator(seed: 5).Stream(40, Now));

        var records = ParserHarness.FeedAll(new Gbt26875Parser(Context), a);

        Assert.DoesNotContain(records, r => r.Error is not null);
        Assert.Equal(40, records.Count(r => r.Reply is not null));
    }
}
