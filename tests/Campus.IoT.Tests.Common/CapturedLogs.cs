using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Tests.Common;

/// <summary>Collects what the host logs, so tests can assert a rejection was logged and that nothing failed unseen.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public IEnumerable<Entry> Errors => _entries.Where(e => e.Level >= LogLevel.Error);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    /// <summary>A typed logger for a component built without a host.</summary>
    public ILogger<T> CreateLogger<T>() => new TypedLogger<T>(CreateLogger(typeof(T).Name));

    public void Dispose()
    {
    }

    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

    private sealed class TypedLogger<T>(ILogger inner) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }

    private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception), exception));
            }
        }
    }
}
