using Campus.IoT.Devices.Panels;
using Campus.IoT.Devices.Panels.SiaDc09;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Devices.Tests.Panels.SiaDc09;

public sealed class SiaDc09SimulatorTests
{
    private static readonly PanelContext Context = new("receiver-1", new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 30, 0, TimeSpan.Zero)));

    [Fact]
    public void Simulated_frames_parse_back_to_their_events_and_are_all_acknowledged()
    {
        var simulator = new SiaDc09Simulator(seed: 3);
        var bytes = simulator.AdmCid('1', 110, 1, 15).Concat(simulator.SiaDcs("FT", 16)).Concat(simulator.Null()).ToArray();

        var records = ParserHarness.FeedAll(new SiaDc09Parser(Context), bytes);

        Assert.Equal(3, records.Count);
        Assert.Equal((EventType.FireAlarm, EventState.Active, "015"), (records[0].Event!.Type, records[0].Event!.State, records[0].Event!.Point!));
        Assert.Equal((EventType.Trouble, "016"), (records[1].Event!.Type, records[1].Event!.Point!));
        Assert.All(records, r => Assert.NotNull(r.Reply));
    }

    [Fact]
    public void A_seeded_stream_is_the_same_every_time_and_has_no_crc_or_layout_errors()
    {
        var a = new SiaDc09Simulator(seed: 11).Stream(50);
        Assert.Equal(a, new SiaDc09Simulator(seed: 11).Stream(50));
        var records = ParserHarness.FeedAll(new SiaDc09Parser(Context), a);
        Assert.DoesNotContain(records, r => r.Error?.Reason is "bad_crc" or "bad_length" or "bad_layout");
        Assert.Equal(50, records.Count(r => r.Reply is not null));
        ParserHarness.Random_bytes_never_throw(() => new SiaDc09Parser(Context), [a[..Math.Min(a.Length, 400)]], rounds: 300);
    }
}
