using System.IO.Ports;
using Campus.IoT.Devices.Panels;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Gateway.Panels;

/// <summary>
/// Reads a fire panel's serial port for years without dying: bytes go through the panel's parser, replies (ACK/NAK) go back
/// at once, events are handed on, and error records are logged and counted. When the port fails or vanishes (a USB adapter
/// unplugged; the other end of a pty gone, where .NET throws <see cref="ObjectDisposedException"/>) it closes, waits with
/// back-off and reopens; a frame cut short by that is reported as <c>truncated</c>, never guessed.
/// </summary>
public sealed partial class SerialPanelReader : IAsyncDisposable
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    private readonly SerialPanelOptions _options;
    private readonly Func<IPanelParser> _createParser;
    private readonly Func<IReadOnlyList<DeviceEvent>, Task> _onEvents;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _events;
    private long _errors;
    private long _reopens;
    private long _noise;
    private long _bytesRead;

    public SerialPanelReader(SerialPanelOptions options, Func<IPanelParser> createParser, Func<IReadOnlyList<DeviceEvent>, Task> onEvents, TimeProvider time, ILogger logger)
    {
        _options = options;
        _createParser = createParser;
        _onEvents = onEvents;
        _time = time;
        _logger = logger;
    }

    public long Events => Interlocked.Read(ref _events);

    public long Errors => Interlocked.Read(ref _errors);

    public long Reopens => Interlocked.Read(ref _reopens);

    public long NoiseBytes => Interlocked.Read(ref _noise);

    /// <summary>Bytes read from the port since start.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public bool IsOpen { get; private set; }

    public void Start() => _loop ??= Task.Factory.StartNew(Run, _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private void Run()
    {
        var failures = 0;
        while (!_stop.IsCancellationRequested)
        {
            var parser = _createParser();
            try
            {
                using var port = new SerialPort(_options.PortName, _options.BaudRate, _options.Parity, _options.DataBits, _options.StopBits)
                {
                    ReadTimeout = (int)_options.ReadTimeout.TotalMilliseconds,
                    WriteTimeout = 1000,
                };
                port.Open();
                IsOpen = true;
                LogOpened(_logger, _options.PortName, _options.Format);
                failures = 0;
                ReadUntilFailure(port, parser);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException or TimeoutException)
            {
                LogPortFailed(_logger, _options.PortName, ex.GetType().Name, ex.Message);
            }
            finally
            {
                IsOpen = false;
                Handle(parser.Flush(), null);
                Interlocked.Add(ref _noise, parser.NoiseBytes);
            }

            if (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _reopens);
            Task.Delay(Backoff[Math.Min(failures++, Backoff.Length - 1)], _time, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
        }
    }

    private void ReadUntilFailure(SerialPort port, IPanelParser parser)
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            int read;
            try
            {
                read = port.Read(buffer, 0, buffer.Length);
            }
            catch (TimeoutException)
            {
                // A quiet line, or a device that is gone: on Linux System.IO.Ports does not always report the hang-up of a
                // USB adapter pulled out or a pty whose other end died (a read then only times out), so a device path
                // that no longer exists ends the port here and the loop reopens it when it is back.
                if (Path.IsPathRooted(_options.PortName) && !File.Exists(_options.PortName))
                {
                    throw new IOException($"{_options.PortName} no longer exists (device unplugged or its link removed)");
                }

                continue;
            }

            if (read <= 0)
            {
                throw new IOException("the serial port returned end of stream");
            }

            Interlocked.Add(ref _bytesRead, read);
            Handle(parser.Feed(buffer.AsSpan(0, read)), port);
        }
    }

    private void Handle(IReadOnlyList<PanelRecord> records, SerialPort? port)
    {
        var events = new List<DeviceEvent>();
        foreach (var record in records)
        {
            if (record.Reply is { Length: > 0 } reply && port is { IsOpen: true })
            {
                // Answer first: the panel retransmits until it hears back.
                port.Write(reply, 0, reply.Length);
            }

            if (record.Event is { } e)
            {
                events.Add(e);
            }
            else if (record.Error is { } error)
            {
                Interlocked.Increment(ref _errors);
                LogFrameError(_logger, _options.PortName, error.Reason, error.Raw);
            }
        }

        if (events.Count > 0)
        {
            Interlocked.Add(ref _events, events.Count);
            // The hand-off makes the events durable (the spool) before the next bytes are read.
            _onEvents(events).GetAwaiter().GetResult();
        }
    }

    [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "Panel port {Port} open ({Format})")]
    private static partial void LogOpened(ILogger logger, string port, string format);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Error, Message = "Panel port {Port} failed ({Exception}: {Error}); reopening")]
    private static partial void LogPortFailed(ILogger logger, string port, string exception, string error);

    [LoggerMessage(EventId = 6203, Level = LogLevel.Warning, Message = "Panel port {Port}: unusable frame ({Reason}): {Raw}")]
    private static partial void LogFrameError(ILogger logger, string port, string reason, string raw);
}
