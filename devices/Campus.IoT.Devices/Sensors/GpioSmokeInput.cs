using System.Device.Gpio;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Sensors;

/// <summary>
/// A smoke detector's alarm contact on a GPIO input, debounced: a change counts only once the contact has stayed in its new
/// state for the debounce time (measured on the injected clock), so contact chatter and a bounce on closing produce
/// nothing. <see cref="Poll"/> is called often (every few tens of milliseconds) and returns a <c>smoke</c> event when the
/// debounced state changes. A contact already closed at start is reported once it has been stable.
/// </summary>
public sealed class GpioSmokeInput : IDisposable
{
    private readonly GpioController _controller;
    private readonly bool _ownsController;
    private readonly int _pin;
    private readonly bool _activeLow;
    private readonly TimeSpan _debounce;
    private readonly TimeProvider _time;
    private bool _reported;
    private bool _candidate;
    private DateTimeOffset _candidateSince;

    /// <summary>Over a given controller (a simulated driver in tests); <paramref name="shouldDispose"/> as in dotnet/iot.</summary>
    public GpioSmokeInput(string device, int pin, bool activeLow, TimeSpan debounce, TimeProvider time, GpioController controller, bool shouldDispose = false)
    {
        Device = device;
        _pin = pin;
        _activeLow = activeLow;
        _debounce = debounce;
        _time = time;
        _controller = controller;
        _ownsController = shouldDispose;
        _controller.OpenPin(pin, _controller.IsPinModeSupported(pin, activeLow ? PinMode.InputPullUp : PinMode.InputPullDown)
            ? (activeLow ? PinMode.InputPullUp : PinMode.InputPullDown)
            : PinMode.Input);
        _candidateSince = time.GetUtcNow();
    }

    /// <summary>Over the board's own GPIO controller (a Raspberry Pi).</summary>
    public GpioSmokeInput(string device, int pin, bool activeLow, TimeSpan debounce, TimeProvider time)
        : this(device, pin, activeLow, debounce, time, new GpioController(), shouldDispose: true)
    {
    }

    public string Device { get; }

    /// <summary>The debounced state: true while the detector is in alarm.</summary>
    public bool Active => _reported;

    public DeviceEvent? Poll()
    {
        var now = _time.GetUtcNow();
        var raw = _controller.Read(_pin) == (_activeLow ? PinValue.Low : PinValue.High);
        if (raw != _candidate)
        {
            _candidate = raw;
            _candidateSince = now;
            return null;
        }

        if (_candidate == _reported || now - _candidateSince < _debounce)
        {
            return null;
        }

        _reported = _candidate;
        return new DeviceEvent(Device, EventType.Smoke, _reported ? EventState.Active : EventState.Cleared, now)
        {
            Raw = $"gpio {_pin} {(_activeLow ? "active-low" : "active-high")} {(_reported ? "closed" : "open")}",
        };
    }

    public void Dispose()
    {
        if (_controller.IsPinOpen(_pin))
        {
            _controller.ClosePin(_pin);
        }

        if (_ownsController)
        {
            _controller.Dispose();
        }
    }
}
