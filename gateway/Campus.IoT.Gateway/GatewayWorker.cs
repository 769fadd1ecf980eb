using System.Device.Gpio;
using System.Device.I2c;
using System.Device.Spi;
using System.Globalization;
using System.IO.Ports;
using Campus.IoT.Devices.Panels;
using Campus.IoT.Devices.Sensors;
using Campus.IoT.Gateway.Configuration;
using Campus.IoT.Gateway.Panels;
using Campus.IoT.Gateway.Spool;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Gateway;

/// <summary>
/// The gateway process: opens the spool, starts the publisher, a reader per fire panel and a poller per sensor, and
/// publishes its health. Every message goes through the spool, so nothing acknowledged by the spool is lost to a broker
/// outage, a crash or a power cut, and <c>seq</c> continues across restarts.
/// </summary>
public sealed partial class GatewayWorker : BackgroundService
{
    /// <summary>Before this, the clock was never set (a Pi without RTC boots in 1970 until NTP answers).</summary>
    public static readonly DateTimeOffset ClockSetAfter = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly GatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<ISensorSource> _sensors;
    private readonly Dictionary<string, long> _readErrors = new(StringComparer.Ordinal);
    private long _clockHeld;

    private readonly Func<GpioController> _gpio;
    private readonly Func<int, int, I2cDevice> _i2c;
    private readonly Func<int, int, SpiDevice> _spi;

    public GatewayWorker(IOptions<GatewayOptions> options, IEnumerable<ISensorSource> sensors, Func<GpioController> gpio, Func<int, int, I2cDevice> i2c, Func<int, int, SpiDevice> spi, TimeProvider time, ILoggerFactory loggers)
    {
        _gpio = gpio;
        _i2c = i2c;
        _spi = spi;
        _options = options.Value;
        // Sensors from the configuration, plus any a host registers itself.
        _sensors = [.. _options.Devices.Where(d => d.Kind == "ds18b20")
            .Select(d => (ISensorSource)new Ds18b20Source(d.Id, new Ds18b20Sensor(d.Address!, d.W1Directory), TimeSpan.FromSeconds(d.PollSeconds))), .. sensors];
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<GatewayWorker>();
    }

    /// <summary>True while the clock reads a time before <see cref="ClockSetAfter"/>.</summary>
    public bool ClockUnset => _time.GetUtcNow() < ClockSetAfter;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = _time.GetTimestamp();
        if (!GatewayOptionsValidator.TryParseBroker(_options.Broker, out var endpoint, out var tls))
        {
            throw new InvalidOperationException($"Gateway:Broker '{_options.Broker}' is invalid");
        }

        var security = new MqttSecurity(_options.Username, _options.Password, tls, _options.CaFile);
        using var spool = DurableSpool.Open(new SpoolOptions(Path.GetFullPath(_options.SpoolDirectory)) { MaxBytes = _options.SpoolMaxMegabytes * 1024L * 1024 }, _loggers.CreateLogger<DurableSpool>());
        await using var publisher = new SpooledGatewayPublisher(endpoint, new GatewayIdentity(_options.Site, _options.Id, Version), spool, _time, _loggers.CreateLogger<SpooledGatewayPublisher>(), security);
        publisher.Start();
        LogStarted(_logger, _options.Site, _options.Id, spool.LastSeq, spool.Stats.Depth);

        var readers = new List<(string Device, SerialPanelReader Reader)>();
        foreach (var device in _options.Devices.Where(d => d.Kind == "panel"))
        {
            var context = new PanelContext(device.Id, _time);
            var reader = new SerialPanelReader(
                new SerialPanelOptions(device.Port!, device.Protocol!)
                {
                    BaudRate = device.BaudRate,
                    Parity = Enum.Parse<Parity>(device.Parity, ignoreCase: true),
                    DataBits = device.DataBits,
                    StopBits = Enum.Parse<StopBits>(device.StopBits, ignoreCase: true),
                },
                () => PanelParsers.TryCreate(device.Protocol!, context, out var parser) ? parser : throw new InvalidOperationException($"no parser for {device.Protocol}"),
                events => publisher.EnqueueEventsAsync(events.Select(FlagIfClockUnset).ToList(), stoppingToken),
                _time,
                _loggers.CreateLogger<SerialPanelReader>());
            reader.Start();
            readers.Add((device.Id, reader));
        }

        // I2C sensors open their bus here, not in the constructor: a missing bus is the worker's failure, logged by the host.
        var busSensors = _options.Devices.Where(d => d.Kind == "sht3x")
            .Select(d => (ISensorSource)new Sht3xSource(d.Id, new Sht3xSensor(_i2c(d.I2cBus, d.I2cAddress!.Value)), TimeSpan.FromSeconds(d.PollSeconds)))
            .Concat(_options.Devices.Where(d => d.Kind == "bme280")
                .Select(d => new Bme280Source(d.Id, new Bme280Sensor(_i2c(d.I2cBus, d.I2cAddress!.Value)), TimeSpan.FromSeconds(d.PollSeconds))))
            .Concat(_options.Devices.Where(d => d.Kind == "mq2")
                .Select(d => new Mq2Source(d.Id, new Mq2Sensor(_spi(d.SpiBus, d.SpiChipSelect), d.Channel!.Value, new Mq2Calibration { CleanAirOhms = d.Mq2CleanAirOhms }), TimeSpan.FromSeconds(d.PollSeconds))))
            .ToList();
        var pollers = _sensors.Concat(busSensors).Select(s => Task.Run(() => PollAsync(s, publisher, stoppingToken), CancellationToken.None)).ToList();
        var smokeDevices = _options.Devices.Where(d => d.Kind == "gpio-smoke").ToList();
        using var gpio = smokeDevices.Count > 0 ? _gpio() : null;
        var smokeInputs = smokeDevices
            .Select(d => new GpioSmokeInput(d.Id, d.Pin!.Value, d.ActiveLow, TimeSpan.FromMilliseconds(d.DebounceMilliseconds), _time, gpio!))
            .ToList();
        if (smokeInputs.Count > 0)
        {
            pollers.Add(Task.Run(() => WatchSmokeAsync(smokeInputs, publisher, stoppingToken), CancellationToken.None));
        }

        try
        {
            using var healthTimer = new PeriodicTimer(TimeSpan.FromSeconds(_options.HealthIntervalSeconds), _time);
            do
            {
                Dictionary<string, long> readErrors;
                lock (_readErrors)
                {
                    readErrors = new Dictionary<string, long>(_readErrors, StringComparer.Ordinal);
                }

                foreach (var (device, reader) in readers)
                {
                    readErrors[device] = reader.Errors;
                }

                var health = new GatewayHealth((long)_time.GetElapsedTime(started).TotalSeconds)
                {
                    CpuTemperature = CpuTemperature(),
                    ReadErrors = readErrors,
                    ClockHeld = Interlocked.Read(ref _clockHeld),
                };
                try
                {
                    await publisher.PublishHealthAsync(health, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogHealthFailed(_logger, ex.Message);
                }
            }
            while (await healthTimer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await Task.WhenAll(pollers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            smokeInputs.ForEach(i => i.Dispose());
            busSensors.OfType<IDisposable>().ToList().ForEach(s => s.Dispose());
            foreach (var (_, reader) in readers)
            {
                await reader.DisposeAsync();
            }
        }
    }

    private static string Version => typeof(GatewayWorker).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private async Task PollAsync(ISensorSource sensor, SpooledGatewayPublisher publisher, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(sensor.Interval, _time);
        do
        {
            var readings = new List<Reading>();
            try
            {
                if (!sensor.TryRead(_time.GetUtcNow(), readings, out var fault))
                {
                    lock (_readErrors)
                    {
                        _readErrors[sensor.Device] = _readErrors.GetValueOrDefault(sensor.Device) + 1;
                    }

                    LogReadFault(_logger, sensor.Device, fault ?? "unknown");
                    continue;
                }
            }
            catch (Exception ex)
            {
                lock (_readErrors)
                {
                    _readErrors[sensor.Device] = _readErrors.GetValueOrDefault(sensor.Device) + 1;
                }

                LogReadFault(_logger, sensor.Device, ex.Message);
                continue;
            }

            if (ClockUnset)
            {
                // A reading stamped 1970 would be stored as ancient history; hold it back and count it instead.
                Interlocked.Add(ref _clockHeld, readings.Count);
                continue;
            }

            if (readings.Count > 0)
            {
                await publisher.EnqueueReadingsAsync(readings, stoppingToken);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Samples every smoke contact every 20 ms; a debounced change goes to the spool's events lane at once.</summary>
    private async Task WatchSmokeAsync(List<GpioSmokeInput> inputs, SpooledGatewayPublisher publisher, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20), _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var events = new List<DeviceEvent>();
            foreach (var input in inputs)
            {
                try
                {
                    if (input.Poll() is { } e)
                    {
                        events.Add(FlagIfClockUnset(e));
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    lock (_readErrors)
                    {
                        _readErrors[input.Device] = _readErrors.GetValueOrDefault(input.Device) + 1;
                    }

                    LogReadFault(_logger, input.Device, ex.Message);
                }
            }

            if (events.Count > 0)
            {
                await publisher.EnqueueEventsAsync(events, stoppingToken);
            }
        }
    }

    /// <summary>A fire event is never held back: with an unset clock it goes out flagged so the server uses its own time.</summary>
    private DeviceEvent FlagIfClockUnset(DeviceEvent e) => ClockUnset ? e with { Raw = "[clock-unset] " + e.Raw } : e;

    private static double? CpuTemperature()
    {
        const string path = "/sys/class/thermal/thermal_zone0/temp";
        try
        {
            return File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var milli) ? milli / 1000.0 : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 6301, Level = LogLevel.Information, Message = "Gateway {Site}/{Gateway} started: last seq {LastSeq}, {Depth} messages waiting in the spool")]
    private static partial void LogStarted(ILogger logger, string site, string gateway, long lastSeq, long depth);

    [LoggerMessage(EventId = 6303, Level = LogLevel.Warning, Message = "Publishing gateway health failed: {Error}")]
    private static partial void LogHealthFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 6302, Level = LogLevel.Warning, Message = "Sensor {Device} read failed: {Fault}")]
    private static partial void LogReadFault(ILogger logger, string device, string fault);
}
