using System.Device.Gpio;

namespace Campus.IoT.Devices.Sensors.Simulation;

/// <summary>
/// A GPIO driver with no hardware behind it, as dotnet/iot's tests use: pins are opened, set to a mode and read; a test
/// (or the demo) sets what an input reads with <see cref="SetInput"/>.
/// </summary>
public sealed class SimulatedGpioDriver : GpioDriver
{
    private readonly Dictionary<int, PinValue> _values = [];
    private readonly Dictionary<int, PinMode> _modes = [];

    public SimulatedGpioDriver(int pinCount = 28) => PinCount = pinCount;

    protected override int PinCount { get; }

    public IReadOnlyDictionary<int, PinMode> Modes => _modes;

    /// <summary>What the pin reads from now on (the contact closing or opening).</summary>
    public void SetInput(int pin, PinValue value) => _values[pin] = value;

    protected override void OpenPin(int pinNumber) => _values.TryAdd(pinNumber, PinValue.High);

    protected override void ClosePin(int pinNumber) => _modes.Remove(pinNumber);

    protected override void SetPinMode(int pinNumber, PinMode mode) => _modes[pinNumber] = mode;

    protected override PinMode GetPinMode(int pinNumber) => _modes.GetValueOrDefault(pinNumber, PinMode.Input);

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => mode is PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown or PinMode.Output;

    protected override PinValue Read(int pinNumber) => _values.GetValueOrDefault(pinNumber, PinValue.High);

    protected override void Write(int pinNumber, PinValue value) => _values[pinNumber] = value;

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the simulated driver is polled, not waited on");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        throw new NotSupportedException("the simulated driver is polled, not called back");

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        throw new NotSupportedException("the simulated driver is polled, not called back");
}
