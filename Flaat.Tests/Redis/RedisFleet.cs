using System.Diagnostics.Metrics;
using Flaat.Caching;
using Flaat.Engine;
using Flaat.Redis;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.Redis;

/// <summary>
/// Several replicas of an API on one Redis, as in production but in one process: each replica has its
/// own engine, its own Redis connection (multiplexer), its own local cache and its own log; they share
/// the Redis server, the key ring (unless a test gives one its own) and the OPs.
/// </summary>
internal sealed class RedisFleet : IAsyncDisposable
{
    private RedisFleet(List<Replica> replicas)
    {
        Replicas = replicas;
    }

    public IReadOnlyList<Replica> Replicas { get; }

    public Replica this[int index] => Replicas[index];

    /// <summary>Starts <paramref name="count"/> replicas and waits until each is connected and listens to the others' notices.</summary>
    public static async Task<RedisFleet> StartAsync(RedisServer redis, Func<FlaatOptions> options, int count = 3, IDataProtectionProvider? protection = null, Action<FlaatRedisOptions>? configure = null, IMeterFactory? meters = null)
    {
        protection ??= new EphemeralDataProtectionProvider();
        var replicas = new List<Replica>();
        for (var i = 0; i < count; i++)
        {
            replicas.Add(await Replica.StartAsync(redis, options(), protection, configure, meters));
        }

        return new RedisFleet(replicas);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in Replicas)
        {
            await replica.DisposeAsync();
        }
    }
}

/// <summary>One replica: an engine over a <see cref="RedisTokenCache"/> with its own connection and log.</summary>
internal sealed class Replica : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;

    private Replica(FlaatAuthenticator engine, RedisTokenCache cache, RedisStore store, ListLoggerProvider logs, ILoggerFactory loggers)
    {
        Engine = engine;
        Cache = cache;
        Store = store;
        Logs = logs;
        _loggers = loggers;
    }

    public FlaatAuthenticator Engine { get; }

    public RedisTokenCache Cache { get; }

    public RedisStore Store { get; }

    public ListLoggerProvider Logs { get; }

    public static async Task<Replica> StartAsync(RedisServer redis, FlaatOptions options, IDataProtectionProvider protection, Action<FlaatRedisOptions>? configure = null, IMeterFactory? meters = null)
    {
        var logs = new ListLoggerProvider();
        var loggers = LoggerFactory.Create(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        // A generous budget: a loaded test machine must not pass for a slow Redis (and split the fleet)
        // where a test is about a healthy one; the tests of a slow Redis set their own.
        var redisOptions = new FlaatRedisOptions { Configuration = redis.ConnectionString + ",connectTimeout=1000", OperationBudget = TimeSpan.FromSeconds(5), RetryInterval = TimeSpan.FromMilliseconds(300) };
        configure?.Invoke(redisOptions);
        Assert.That(FlaatRedisOptionsValidation.Errors(redisOptions), Is.Empty);
        var store = new RedisStore(redisOptions, TimeProvider.System, loggers.CreateLogger("Flaat.Redis"), meters);
        var cache = new RedisTokenCache(store, new OutcomeCodec(protection), options, TimeProvider.System, loggers.CreateLogger("Flaat.Redis"));
        var engine = new FlaatAuthenticator(options, loggerFactory: loggers, meterFactory: meters, tokenCache: cache);
        await store.Connected;
        await cache.Ready;

        // As the package's start does (RedisStartup): the request path run once, with a generous budget.
        await cache.WarmUpAsync(RedisStartup.StartTimeout, CancellationToken.None);
        return new Replica(engine, cache, store, logs, loggers);
    }

    public ValueTask<AuthenticationResult> AuthenticateAsync(string token) => Engine.AuthenticateAsync(new AuthenticationRequest(token));

    /// <summary>The log entries with this event id.</summary>
    public int LogCount(int eventId)
    {
        lock (Logs.Entries)
        {
            return Logs.Entries.Count(entry => entry.Id.Id == eventId);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Engine.Dispose();
        await Cache.DisposeAsync();
        await Store.DisposeAsync();
        _loggers.Dispose();
    }
}
