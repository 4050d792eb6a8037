using System.Diagnostics.Metrics;
using Flaat.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Flaat.Redis;

/// <summary>
/// The connection to Redis as the shared cache sees it: every operation within a budget
/// (<see cref="FlaatRedisOptions.OperationBudget"/>), a fault (an error, a timeout, a lost connection)
/// never thrown to the caller but counted (<c>flaat.redis.errors</c>), and a breaker: after a fault
/// Redis is left alone for <see cref="FlaatRedisOptions.RetryInterval"/>, then one operation tries it
/// again. One warning per outage and one information line when Redis is back.
/// </summary>
internal sealed class RedisStore : IAsyncDisposable, IDisposable
{
    private readonly IConnectionMultiplexer? _given;
    private readonly Task<IConnectionMultiplexer> _connecting;
    private readonly TimeSpan _budget;
    private readonly TimeSpan _retryInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Meter? _ownMeter;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _lookups;
    private IConnectionMultiplexer? _connection;

    // 0 while Redis is up; otherwise the UTC ticks until which it is left alone.
    private long _downUntil;

    // 1 while one operation tries Redis again after RetryInterval.
    private int _trying;

    // Counts the outages: an operation that started before the current one began says nothing about
    // whether it is over (its answer may have been on its way when the connection broke).
    private int _outage;

    private int _disposed;

    public RedisStore(FlaatRedisOptions options, TimeProvider time, ILogger logger, IMeterFactory? meterFactory)
    {
        KeyPrefix = options.KeyPrefix;
        _budget = options.OperationBudget;
        _retryInterval = options.RetryInterval;
        _time = time;
        _logger = logger;
        var meter = meterFactory?.Create(FlaatDiagnostics.MeterName) ?? (_ownMeter = new Meter(FlaatDiagnostics.MeterName));
        _errors = meter.CreateCounter<long>("flaat.redis.errors", "{error}", "Redis operations of the shared token cache that failed or ran over their budget, by operation.");
        _lookups = meter.CreateCounter<long>("flaat.redis.lookups", "{lookup}", "Reads of the shared token cache after a local miss, by result (hit, miss, unusable, waited_hit, waited_miss, skipped).");
        meter.CreateObservableGauge("flaat.redis.available", () => IsAvailable ? 1 : 0, "{state}", "1 while the shared token cache on Redis is used, 0 while it is down or not yet connected.");

        if (options.ConnectionMultiplexer is { } given)
        {
            _given = given;
            Watch(given);
            _connecting = Task.FromResult(given);
        }
        else
        {
            var configuration = ConfigurationOptions.Parse(options.Configuration!);
            // Never wait for Redis at start-up nor queue commands while it is away: requests go on
            // without it, and the connection comes back by itself.
            configuration.AbortOnConnectFail = false;
            configuration.BacklogPolicy = BacklogPolicy.FailFast;
            configuration.ReconnectRetryPolicy ??= new LinearRetry(1000);
            _connecting = ConnectAsync(configuration);
        }
    }

    /// <summary>The prefix of every key and channel.</summary>
    public string KeyPrefix { get; }

    /// <summary>Completes when the connection is made (or given); it may still be down.</summary>
    public Task<IConnectionMultiplexer> Connected => _connecting;

    /// <summary>Whether Redis is connected and not known to be down (the breaker is closed).</summary>
    public bool IsAvailable => _connection is { IsConnected: true } && Volatile.Read(ref _downUntil) == 0;

    /// <summary>The connection, once made; <see langword="null"/> before.</summary>
    public IConnectionMultiplexer? Connection => _connection;

    /// <summary>Raised when a connection is back after a loss (notices may have been missed meanwhile, whichever connection carries them).</summary>
    public event Action? SubscriptionRestored;

    /// <summary>Counts a read of the shared cache by its result.</summary>
    public void Looked(string result) => _lookups.Add(1, new KeyValuePair<string, object?>("flaat.redis.result", result));

    /// <summary>
    /// Runs one operation within the budget; <c>Ok</c> is <see langword="false"/> when Redis is known to
    /// be down, failed, or took too long. Throws only <see cref="OperationCanceledException"/> for
    /// <paramref name="cancellationToken"/>.
    /// </summary>
    public async ValueTask<(bool Ok, T Value)> RunAsync<T>(string operation, Func<IDatabase, Task<T>> call, CancellationToken cancellationToken)
    {
        var outage = Volatile.Read(ref _outage);
        if (!TryEnter(out var connection, out var trial))
        {
            return (false, default!);
        }

        Task<T>? task = null;
        try
        {
            task = call(connection.GetDatabase());
            var value = await task.WaitAsync(_budget, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            Succeeded(outage);
            return (true, value);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Observe(task);
            throw;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            Observe(task);
            Failed(operation, e);
            return (false, default!);
        }
        finally
        {
            // Whatever ended a trial (even an exception not caught above), the next one may run.
            if (trial)
            {
                Release();
            }
        }
    }

    /// <summary>Records a fault seen outside <see cref="RunAsync"/> (a revocation, a lost connection).</summary>
    public void Failed(string operation, Exception error)
    {
        _errors.Add(1, new KeyValuePair<string, object?>("flaat.redis.operation", operation));
        var was = Interlocked.Exchange(ref _downUntil, (_time.GetUtcNow() + _retryInterval).UtcTicks);
        Volatile.Write(ref _trying, 0);
        if (was == 0)
        {
            Interlocked.Increment(ref _outage);
            RedisLog.Unavailable(_logger, operation, error.GetType().Name, error.Message, _retryInterval);
        }
    }

    /// <summary>Records an operation that worked: an outage is over, unless the operation started before it (<paramref name="outage"/>, when given, is the count of outages when it started).</summary>
    public void Succeeded(int? outage = null)
    {
        if (Volatile.Read(ref _downUntil) == 0 || (outage is { } seen && seen != Volatile.Read(ref _outage)))
        {
            return;
        }

        Volatile.Write(ref _trying, 0);
        if (Interlocked.Exchange(ref _downUntil, 0) != 0)
        {
            RedisLog.Available(_logger);
        }
    }

    /// <summary>Closes as <see cref="DisposeAsync"/> does, for a container disposed synchronously.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_given is { } given)
        {
            given.ConnectionFailed -= OnConnectionFailed;
            given.ConnectionRestored -= OnConnectionRestored;
        }
        else
        {
            try
            {
                var connection = await _connecting.ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // Never connected: nothing to close.
            }
        }

        _ownMeter?.Dispose();
    }

    private async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        Watch(connection);
        return connection;
    }

    private void Watch(IConnectionMultiplexer connection)
    {
        connection.ConnectionFailed += OnConnectionFailed;
        connection.ConnectionRestored += OnConnectionRestored;
        Volatile.Write(ref _connection, connection);
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Interactive)
        {
            Failed("connection", e.Exception ?? new InvalidOperationException("Connection lost: " + e.FailureType));
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Interactive)
        {
            Succeeded();
        }

        // Any restore: with RESP3 the notices come on the interactive connection.
        SubscriptionRestored?.Invoke();
    }

    private bool TryEnter(out IConnectionMultiplexer connection, out bool trial)
    {
        trial = false;
        connection = Volatile.Read(ref _connection)!;
        if (connection is null)
        {
            return false;
        }

        if (Volatile.Read(ref _downUntil) == 0)
        {
            return true;
        }

        trial = _time.GetUtcNow().UtcTicks >= Volatile.Read(ref _downUntil) && Interlocked.CompareExchange(ref _trying, 1, 0) == 0;
        return trial;
    }

    // A trial that ended (cancelled, or whatever happened) lets the next one run.
    private void Release() => Volatile.Write(ref _trying, 0);

    // An operation given up on (over budget, cancelled) may still fail later: its fault is observed
    // here so that it is not reported as unobserved.
    private static void Observe(Task? task)
    {
        if (task is { IsCompleted: false })
        {
            task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}
