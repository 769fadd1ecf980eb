using Campus.IoT.Devices.Panels;
using Campus.IoT.Devices.Panels.Printer;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Tests.Panels.Printer;

public sealed class PrinterSimulatorTests
{
    private static readonly EventState[] States = [EventState.Active, EventState.Cleared];

    public static TheoryData<int> Seeds => new() { 1, 7, 26875, 424242 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Est_parse_of_simulate_round_trips(int seed)
    {
        List<PrinterSimulatedEvent> events = [];
        foreach (var type in Enum.GetValues<EventType>())
        {
            foreach (var state in States.Where(s => EstPrinterSimulator.Supports(type, s)))
            {
                events.Add(new PrinterSimulatedEvent(type, state, "L1D126", "3F lab corridor"));
                events.Add(new PrinterSimulatedEvent(type, state, "L2M005", null));
                events.Add(new PrinterSimulatedEvent(type, state, null, "Zone 08", "Z008"));
            }
        }

        events.Add(new PrinterSimulatedEvent(EventType.Trouble, EventState.Active, "A008", "Annunciator 08"));
        AssertRoundTrip(events, new EstPrinterSimulator(seed).Render(events), () => new EstPrinterParser(PrinterCaptures.Context()));
        AssertRoundTrip(events, new EstPrinterSimulator(seed, printerControl: true).Render(events), () => new EstPrinterParser(PrinterCaptures.Context()));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Notifier_parse_of_simulate_round_trips(int seed)
    {
        List<PrinterSimulatedEvent> events = [];
        foreach (var type in Enum.GetValues<EventType>())
        {
            foreach (var state in States.Where(s => NotifierPrinterSimulator.Supports(type, s)))
            {
                if (type is EventType.Reset or EventType.Silence or EventType.Acknowledge)
                {
                    events.Add(new PrinterSimulatedEvent(type, state));
                    continue;
                }

                events.Add(new PrinterSimulatedEvent(type, state, "1D012", "3RD FLOOR LAB CORRIDOR", "Z003"));
                events.Add(new PrinterSimulatedEvent(type, state, "1M002", null, null));
                events.Add(new PrinterSimulatedEvent(type, state, "N001", "PANEL", "Z120"));
            }
        }

        AssertRoundTrip(events, new NotifierPrinterSimulator(seed).Render(events), () => new NotifierPrinterParser(PrinterCaptures.Context()));
        AssertRoundTrip(events, new NotifierPrinterSimulator(seed, printerControl: true).Render(events), () => new NotifierPrinterParser(PrinterCaptures.Context()));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Gst_parse_of_simulate_round_trips(int seed)
    {
        List<PrinterSimulatedEvent> events = [];
        foreach (var type in Enum.GetValues<EventType>())
        {
            foreach (var state in States.Where(s => GstPrinterSimulator.Supports(type, s)))
            {
                events.Add(new PrinterSimulatedEvent(type, state, "004-004", "裙楼一层上空"));
                events.Add(new PrinterSimulatedEvent(type, state, "01-001-023", "3层 化学实验室"));
                events.Add(new PrinterSimulatedEvent(type, state));
            }
        }

        AssertRoundTrip(events, new GstPrinterSimulator(seed).Render(events), () => new GstPrinterParser(PrinterCaptures.Context()));
        AssertRoundTrip(events, new GstPrinterSimulator(seed, printerControl: true).Render(events), () => new GstPrinterParser(PrinterCaptures.Context()));
    }

    [Fact]
    public void Simulators_are_deterministic_for_a_seed()
    {
        PrinterSimulatedEvent[] events = [new(EventType.Trouble, EventState.Active, null, null), new(EventType.Disabled, EventState.Cleared, null, null)];
        Assert.Equal(new EstPrinterSimulator(5).Render(events), new EstPrinterSimulator(5).Render(events));
        Assert.Equal(new NotifierPrinterSimulator(5).Render(events), new NotifierPrinterSimulator(5).Render(events));
        Assert.Equal(new GstPrinterSimulator(5).Render(events), new GstPrinterSimulator(5).Render(events));
        Assert.NotEqual(new EstPrinterSimulator(5).Render(events), new EstPrinterSimulator(6).Render(events));
    }

    [Fact]
    public void Simulators_refuse_events_their_format_cannot_print()
    {
        Assert.Throws<ArgumentException>(() => new EstPrinterSimulator(1).Render([new(EventType.Reset, EventState.Active)]));
        Assert.Throws<ArgumentException>(() => new NotifierPrinterSimulator(1).Render([new(EventType.Test, EventState.Active)]));
        Assert.Throws<ArgumentException>(() => new GstPrinterSimulator(1).Render([new(EventType.Smoke, EventState.Cleared)]));
        Assert.Throws<ArgumentException>(() => new EstPrinterSimulator(1).Render([new(EventType.Smoke, EventState.Active, "1D012")]));
        Assert.Throws<ArgumentException>(() => new NotifierPrinterSimulator(1).Render([new(EventType.Smoke, EventState.Active, "1D012", "TWO  SPACES")]));
        Assert.Throws<ArgumentException>(() => new GstPrinterSimulator(1).Render([new(EventType.Smoke, EventState.Active, "004-004", "感烟探测器")]));
    }

    [Fact]
    public void A_simulated_capture_split_anywhere_gives_the_same_records()
    {
        PrinterSimulatedEvent[] events = [new(EventType.Smoke, EventState.Active, "001-023", "3层化学实验室"), new(EventType.Reset, EventState.Active)];
        ParserHarness.Split_anywhere_gives_the_same_records(() => new GstPrinterParser(PrinterCaptures.Context()), new GstPrinterSimulator(3, printerControl: true).Render(events));
    }

    private static void AssertRoundTrip(List<PrinterSimulatedEvent> events, byte[] bytes, Func<IPanelParser> create)
    {
        var records = ParserHarness.FeedAll(create(), bytes);
        Assert.All(records, r => Assert.Null(r.Error));
        var expected = events.Select(e => (e.Type, e.State, e.Point, e.Label, e.Zone)).ToList();
        var actual = records.Select(r => (r.Event!.Type, r.Event.State, r.Event.Point, r.Event.Label, r.Event.Zone)).ToList();
        Assert.Equal(expected, actual);
    }
}
