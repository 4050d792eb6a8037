using Microsoft.Extensions.Logging;

namespace Flaat.Cli;

/// <summary>
/// For <c>--verbose</c>: writes Flaat's log, one line per entry, to standard error. Small on purpose,
/// so the tool needs no logging provider package. Flaat never logs a token in clear.
/// </summary>
internal sealed class TextWriterLoggerFactory(TextWriter writer, LogLevel minimumLevel) : ILoggerFactory
{
    private readonly Lock _lock = new();
    private readonly LogLevel _minimumLevel = minimumLevel;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("This factory writes to one text writer only.");

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (_lock)
        {
            writer.WriteLine(line);
        }
    }

    private sealed class Logger(TextWriterLoggerFactory factory, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= factory._minimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            if (exception is not null)
            {
                message += " (" + exception.GetType().Name + ": " + exception.Message + ")";
            }

            factory.Write($"{logLevel.ToString().ToLowerInvariant()}: {category}[{eventId.Id}]: {message}");
        }
    }
}
