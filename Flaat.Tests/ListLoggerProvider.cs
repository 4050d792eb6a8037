using Microsoft.Extensions.Logging;

namespace Flaat.Tests;

/// <summary>
/// Collects every log entry, at every level, for tests of what is (or is never) logged. A message
/// includes its exception's text, so that a token hidden in an exception is found too.
/// </summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    public List<(LogLevel Level, EventId Id, string Message)> Entries { get; } = [];

    /// <summary>A snapshot of the messages.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (Entries)
            {
                return Entries.Select(e => e.Message).ToList();
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new ListLogger(this);

    public void Dispose()
    {
    }

    private sealed class ListLogger(ListLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = exception is null ? formatter(state, exception) : formatter(state, exception) + " " + exception;
            lock (provider.Entries)
            {
                provider.Entries.Add((logLevel, eventId, message));
            }
        }
    }
}
