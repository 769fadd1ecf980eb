using System.Device.Gpio;
using Campus.IoT.Devices.Sensors;
using Campus.IoT.Devices.Sensors.Simulation;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Devices.Tests.Sensors;

/// <summary>The debounced smoke contact on a simulated GPIO driver, with fake time (no sleeps).</summary>
public sealed class GpioSmokeInputTests : IDisposable
{
    private const int Pin = 17;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 3, 0, 0, TimeSpan.Zero));
    private readonly SimulatedGpioDriver _driver = new();
    private readonly GpioController _controller;
    private readonly GpioSmokeInput _input;

    public GpioSmokeInputTests()
    {
        _controller = new GpioController(_driver);
        _input = new GpioSmokeInput("smoke-3f-lab", Pin, activeLow: true, TimeSpan.FromMilliseconds(200), _time, _controller);
    }

    [Fact]
    public void The_input_is_opened_with_its_pull_up()
    {
        Assert.Equal(PinMode.InputPullUp, _driver.Modes[Pin]);
    }

    [Fact]
    public void A_contact_that_stays_closed_for_the_debounce_time_is_one_smoke_alarm()
    {
        _driver.SetInput(Pin, PinValue.Low);
        Assert.Null(Step(0));
        Assert.Null(Step(100));
        Assert.Null(Step(99));
        var alarm = Step(1);

        Assert.NotNull(alarm);
        Assert.Equal(EventType.Smoke, alarm.Type);
        Assert.Equal(EventState.Active, alarm.State);
        Assert.Equal("smoke-3f-lab", alarm.Device);
        Assert.Null(Step(500));
        Assert.True(_input.Active);
    }

    [Fact]
    public void Chatter_shorter_than_the_debounce_time_produces_nothing()
    {
        for (var i = 0; i < 20; i++)
        {
            _driver.SetInput(Pin, i % 2 == 0 ? PinValue.Low : PinValue.High);
            Assert.Null(Step(150));
        }

        Assert.False(_input.Active);
    }

    [Fact]
    public void Opening_again_for_the_debounce_time_clears_it()
    {
        _driver.SetInput(Pin, PinValue.Low);
        Step(0);
        Assert.Equal(EventState.Active, Step(200)!.State);

        _driver.SetInput(Pin, PinValue.High);
        Assert.Null(Step(0));
        Assert.Null(Step(150));
        _driver.SetInput(Pin, PinValue.Low); // a bounce while opening restarts the wait
        Assert.Null(Step(10));
        _driver.SetInput(Pin, PinValue.High);
        Assert.Null(Step(0));
        Assert.Null(Step(199));
        Assert.Equal(EventState.Cleared, Step(1)!.State);
    }

    [Fact]
    public void An_active_high_contact_is_read_the_other_way_round()
    {
        using var controller = new GpioController(new SimulatedGpioDriver());
        using var input = new GpioSmokeInput("smoke-2", 5, activeLow: false, TimeSpan.FromMilliseconds(50), _time, controller);
        Assert.Null(input.Poll()); // the simulated pin reads High: with active-high that is an alarm candidate from now
        _time.Advance(TimeSpan.FromMilliseconds(40));
        Assert.Null(input.Poll());
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(EventState.Active, input.Poll()!.State);
    }

    [Fact]
    public void Disposing_closes_the_pin_but_not_a_controller_it_was_given()
    {
        _input.Dispose();
        Assert.False(_controller.IsPinOpen(Pin));
        _controller.OpenPin(Pin, PinMode.Input); // still usable
    }

    public void Dispose()
    {
        _input.Dispose();
        _controller.Dispose();
    }

    private DeviceEvent? Step(int milliseconds)
    {
        _time.Advance(TimeSpan.FromMilliseconds(milliseconds));
        return _input.Poll();
    }
}
