using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Flaat.Caching;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Flaat.Redis;

/// <summary>
/// The token cache shared by the replicas of an API on Redis, with the in-memory
/// <see cref="MemoryTokenCache"/> in front: a local hit never touches Redis. On a local miss it reads
/// Redis; on a miss there it takes a short lease on the token (SET NX, the OP request deadline as its
/// expiry) so that only one replica asks the OP, while the others wait for its answer (a pub/sub notice,
/// and a short poll as a backstop) until the lease ends. Revocation deletes the token's keys and tells
/// every replica to drop its local copy. A Redis fault never fails a request (see <see cref="RedisStore"/>);
/// only <see cref="RemoveAsync"/> throws, so a revoker learns that the token may still be served.
/// </summary>
/// <remarks>
/// Keys: <c>{prefix}v1:o:{sha256}</c> outcome, <c>{prefix}v1:i:{sha256}</c> issuer memo,
/// <c>{prefix}v1:l:{sha256}</c> lease, <c>{prefix}v1:t:{sha256}</c> tombstone (revoked: no outcome is
/// stored for a while, so that a load in flight at another replica cannot write the old answer back); channel <c>{prefix}v1:events</c> with notices <c>s:{sha256}</c>
/// (an answer is there, or the lease was dropped) and <c>r:{sha256}</c> (revoked).
/// </remarks>
internal sealed class RedisTokenCache : IFlaatTokenCache, IAsyncDisposable, IDisposable
{
    /// <summary>How long a revocation may take before it fails.</summary>
    public static readonly TimeSpan RevocationTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The longest pause between two looks at Redis while another replica asks the OP.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    // The outcome when there is one ({1, value}); otherwise, when ARGV[2] (milliseconds) is not 0, the
    // lease taken for ARGV[1] ({2}); otherwise whether someone holds the lease ({3}) or not ({0}). Atomic,
    // so that an answer stored between a read and a lease is never missed (two OP calls).
    internal const string LookScript = """
        local value = redis.call('get', KEYS[1])
        if value then return {1, value} end
        if ARGV[2] ~= '0' and redis.call('set', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
        if redis.call('exists', KEYS[2]) == 1 then return {3} end
        return {0}
        """;

    // Stores the outcome unless the token was revoked meanwhile (its tombstone is there).
    internal const string StoreScript = """
        if redis.call('exists', KEYS[2]) == 1 then return 0 end
        redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """;

    // A revocation: the outcome, the issuer memo and the lease gone, and a tombstone left for ARGV[1] ms.
    private const string RemoveScript = """
        redis.call('del', KEYS[1], KEYS[2], KEYS[3])
        redis.call('set', KEYS[4], '1', 'PX', ARGV[1])
        return 1
        """;

    internal const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    private readonly RedisStore _store;
    private readonly OutcomeCodec _codec;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _capacity;
    private readonly TimeSpan _leaseLifetime;
    private readonly TimeSpan _tombstoneLifetime;
    private readonly TimeSpan _rejectionLifetime;
    private readonly string _prefix;
    private readonly RedisChannel _channel;
    private readonly RedisValue _replica = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<TokenHash, byte> _leases = new();
    private readonly ConcurrentDictionary<TokenHash, TaskCompletionSource> _waiters = new();
    private MemoryTokenCache _local;
    private long _unprotectLogged = long.MinValue;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _closing = new();

    // The one handler of this replica's subscription: registered once, so that the channel never has two sinks.
    private readonly Action<RedisChannel, RedisValue> _handler;

    public RedisTokenCache(RedisStore store, OutcomeCodec codec, FlaatOptions flaat, TimeProvider time, ILogger logger)
    {
        _store = store;
        _codec = codec;
        _time = time;
        _logger = logger;
        _capacity = flaat.Cache.MaxUserInfos;
        _local = new MemoryTokenCache(_capacity, time);
        // The lease lasts as long as one OP round may: a request, or a probing round for an opaque token.
        _leaseLifetime = flaat.Probing.Enabled && flaat.Probing.Deadline > flaat.RequestTimeout ? flaat.Probing.Deadline : flaat.RequestTimeout;
        // One load may be discovery, JWKS, userinfo and introspection in sequence, each up to a lease
        // lifetime: a load that started before a revocation ends within this.
        _tombstoneLifetime = 4 * _leaseLifetime + TimeSpan.FromSeconds(1);
        _rejectionLifetime = flaat.Cache.RejectionLifetime;
        _prefix = store.KeyPrefix + "v1:";
        _channel = RedisChannel.Literal(_prefix + "events");
        _handler = (_, message) => Notice(message);
        store.SubscriptionRestored += Forget;
        _ = SubscribeAsync();
        RedisLog.Started(logger, store.KeyPrefix);
    }

    /// <summary>Completes when the replica listens to the other replicas' notices (or could not subscribe).</summary>
    public Task Ready => _ready.Task;

    /// <summary>How long a replica waits for another's answer at most.</summary>
    public TimeSpan LeaseLifetime => _leaseLifetime;

    /// <summary>The tokens whose answer this replica is waiting for (each wait removes its own on the way out).</summary>
    internal int WaiterCount => _waiters.Count;

    /// <summary>How long after a revocation no outcome of the token is stored in Redis.</summary>
    public TimeSpan TombstoneLifetime => _tombstoneLifetime;

    /// <summary>
    /// Runs the request path once on dummy keys (the scripts loaded, a GET, a SET NX PX, a PUBLISH), so
    /// that a new replica's first requests do not pay for the first round trips (code compiled, scripts
    /// loaded) and run over the operation budget. Within <paramref name="budget"/>; a failure here is not
    /// a fault of the data path: it is neither counted nor logged, and requests find out for themselves.
    /// </summary>
    public async Task WarmUpAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        if (_store.Connection is not { IsConnected: true } connection)
        {
            return;
        }

        var db = connection.GetDatabase();
        RedisKey dummy = _prefix + "w:" + _replica;
        RedisKey lease = _prefix + "w:l:" + _replica;
        try
        {
            await db.ScriptEvaluateAsync(LookScript, [dummy, lease], [_replica, 0]).WaitAsync(budget, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            await db.ScriptEvaluateAsync(StoreScript, [dummy, lease], [RedisValue.EmptyString, 1]).WaitAsync(budget, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            await db.ScriptEvaluateAsync(ReleaseScript, [lease], [_replica]).WaitAsync(budget, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            await db.ScriptEvaluateAsync(RemoveScript, [dummy, dummy, lease, lease], [1]).WaitAsync(budget, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            await db.StringGetAsync(dummy).WaitAsync(budget, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            await db.StringSetAsync(dummy, _replica, TimeSpan.FromSeconds(1), When.NotExists).WaitAsync(budget, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            // A notice every replica ignores (not a token's).
            await db.PublishAsync(_channel, "w").WaitAsync(budget, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            await db.KeyDeleteAsync([dummy, lease]).WaitAsync(budget, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // Redis is down or slow at start: the requests find out (and count it) themselves.
        }
    }

    /// <inheritdoc />
    public bool TryGet(TokenHash key, DateTimeOffset now, [NotNullWhen(true)] out TokenOutcome? outcome) =>
        Volatile.Read(ref _local).TryGet(key, now, out outcome);

    /// <inheritdoc />
    public async ValueTask<TokenOutcome?> GetAsync(TokenHash key, CancellationToken cancellationToken)
    {
        var local = Volatile.Read(ref _local);
        if (local.TryGet(key, _time.GetUtcNow(), out var kept))
        {
            return kept;
        }

        var hex = key.ToHexString();
        RedisKey outcomeKey = _prefix + "o:" + hex;
        RedisKey leaseKey = _prefix + "l:" + hex;

        // One atomic step: the value, or else the lease (this replica asks the OP), or else who holds it.
        var (ok, look, value) = await LookAsync("get", outcomeKey, leaseKey, lease: true, cancellationToken).ConfigureAwait(false);
        switch (ok ? look : Look.Failed)
        {
            case Look.Value:
                if (Keep(key, hex, value, local) is { } found)
                {
                    _store.Looked("hit");
                    return found;
                }

                // An unusable value is a miss like any other: the lease is taken for the load.
                _store.Looked("unusable");
                var (leased, taken) = await _store.RunAsync("lease", db => db.StringSetAsync(leaseKey, _replica, _leaseLifetime, When.NotExists), cancellationToken).ConfigureAwait(false);
                if (leased && taken)
                {
                    _leases[key] = 0;
                }

                return null;
            case Look.Leased:
                _leases[key] = 0;
                _store.Looked("miss");
                return null;
            case Look.Held:
                return await WaitAsync(key, hex, outcomeKey, leaseKey, local, cancellationToken).ConfigureAwait(false);
            default:
                _store.Looked("skipped");
                return null;
        }
    }

    /// <inheritdoc />
    public async ValueTask SetAsync(TokenHash key, TokenOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var local = Volatile.Read(ref _local);
        local.Set(key, outcome);
        var leased = _leases.TryRemove(key, out _);

        // Redis expires the value with the outcome; a rejection never outlives the local rejection lifetime.
        var lifetime = outcome.ExpiresAt - _time.GetUtcNow();
        if (outcome.StatusCode is not null && lifetime > _rejectionLifetime)
        {
            lifetime = _rejectionLifetime;
        }

        if (lifetime < TimeSpan.FromMilliseconds(1))
        {
            if (leased)
            {
                await ReleaseLeaseAsync(key, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var hex = key.ToHexString();
        var value = _codec.Encode(hex, outcome);
        RedisKey outcomeKey = _prefix + "o:" + hex;
        RedisKey tombstoneKey = _prefix + "t:" + hex;
        var milliseconds = Math.Max(1L, (long)lifetime.TotalMilliseconds);
        await _store.RunAsync(
            "set",
            async db =>
            {
                // One round trip: the value (unless the token was revoked meanwhile, at any replica), then
                // (pipelined, in order) the lease dropped and the waiting replicas told.
                var set = db.ScriptEvaluateAsync(StoreScript, [outcomeKey, tombstoneKey], [value, milliseconds]);
                if (!leased)
                {
                    await set.ConfigureAwait(false);
                    return true;
                }

                var drop = db.ScriptEvaluateAsync(ReleaseScript, [_prefix + "l:" + hex], [_replica]);
                var notice = db.PublishAsync(_channel, "s:" + hex);
                await Task.WhenAll(set, drop, notice).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask ReleaseAsync(TokenHash key, CancellationToken cancellationToken) =>
        _leases.TryRemove(key, out _) ? ReleaseLeaseAsync(key, cancellationToken) : ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask RemoveAsync(TokenHash key, CancellationToken cancellationToken)
    {
        Volatile.Read(ref _local).Remove(key);
        _leases.TryRemove(key, out _);
        var connection = _store.Connection ?? throw new InvalidOperationException("The token's outcome was dropped here, but Redis is not connected: other replicas may still serve it");
        var hex = key.ToHexString();
        var db = connection.GetDatabase();
        try
        {
            // The tombstone keeps a load in flight elsewhere (begun before the revocation) from storing
            // its answer; the lease is dropped so that the next request asks the OP at once.
            var delete = db.ScriptEvaluateAsync(RemoveScript, [_prefix + "o:" + hex, _prefix + "i:" + hex, _prefix + "l:" + hex, _prefix + "t:" + hex], [Math.Max(1L, (long)_tombstoneLifetime.TotalMilliseconds)]);
            var notice = db.PublishAsync(_channel, "r:" + hex);
            await Task.WhenAll(delete, notice).WaitAsync(RevocationTimeout, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            _store.Succeeded();
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            _store.Failed("remove", e);
            throw new InvalidOperationException("The token's outcome was dropped here, but not from Redis: other replicas may still serve it (" + e.GetType().Name + ": " + e.Message + ")", e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<string?> GetIssuerAsync(TokenHash key, CancellationToken cancellationToken)
    {
        var hex = key.ToHexString();
        RedisKey issuerKey = _prefix + "i:" + hex;
        var (ok, value) = await _store.RunAsync("get_issuer", db => db.StringGetAsync(issuerKey), cancellationToken).ConfigureAwait(false);
        return ok && value.HasValue ? _codec.DecodeIssuer(hex, (byte[])value!) : null;
    }

    /// <inheritdoc />
    public async ValueTask SetIssuerAsync(TokenHash key, string issuer, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        var lifetime = expiresAt - _time.GetUtcNow();
        if (lifetime < TimeSpan.FromMilliseconds(1))
        {
            return;
        }

        var hex = key.ToHexString();
        RedisKey issuerKey = _prefix + "i:" + hex;
        var value = _codec.EncodeIssuer(hex, issuer);
        await _store.RunAsync("set_issuer", db => db.StringSetAsync(issuerKey, value, lifetime), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes as <see cref="DisposeAsync"/> does, for a container disposed synchronously.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (_closing.IsCancellationRequested)
        {
            return;
        }

        _closing.Cancel();
        _store.SubscriptionRestored -= Forget;
        if (_store.Connection is { } connection)
        {
            try
            {
                await connection.GetSubscriber().UnsubscribeAsync(_channel, _handler).WaitAsync(RevocationTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                // The connection is going away anyway.
            }
        }

        foreach (var waiter in _waiters.Values)
        {
            waiter.TrySetResult();
        }
    }

    // Another replica holds the lease: wait for its answer (woken by its notice, or looking again
    // every PollInterval) until the lease is gone or has lasted its lifetime; then the caller asks the OP.
    private async ValueTask<TokenOutcome?> WaitAsync(TokenHash key, string hex, RedisKey outcomeKey, RedisKey leaseKey, MemoryTokenCache local, CancellationToken cancellationToken)
    {
        // The lease expires in Redis' real time, whatever clock the application gives the engine.
        var clock = TimeProvider.System;
        var started = clock.GetTimestamp();
        var deadline = started + (long)(_leaseLifetime.TotalSeconds * clock.TimestampFrequency);
        while (true)
        {
            // Registered before looking, so that a notice that comes in between is not lost.
            var notified = _waiters.GetOrAdd(key, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            (bool Ok, Look Look, RedisValue Value) seen;
            try
            {
                // With the lease again: when it ended without an answer (its holder crashed, or its load
                // ran long), one waiter takes it and asks the OP, and the others go on waiting for it.
                seen = await LookAsync("wait", outcomeKey, leaseKey, lease: true, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _waiters.TryRemove(KeyValuePair.Create(key, notified));
                throw;
            }

            var (ok, look, value) = seen;
            if (!ok || look != Look.Held || deadline - clock.GetTimestamp() <= 0)
            {
                // This wait ends: its entry goes (unless another waiter of this replica took it over).
                _waiters.TryRemove(KeyValuePair.Create(key, notified));
            }

            if (ok && look == Look.Value)
            {
                var found = Keep(key, hex, value, local);
                _store.Looked(found is null ? "unusable" : "waited_hit");
                RedisLog.Waited(_logger, key.ToString(), clock.GetElapsedTime(started), found is null ? "an unusable value" : "answered");
                return found;
            }

            if (ok && look == Look.Leased)
            {
                _leases[key] = 0;
                _store.Looked("waited_miss");
                RedisLog.Waited(_logger, key.ToString(), clock.GetElapsedTime(started), "the lease ended without an answer, and this replica took it");
                return null;
            }

            var remaining = deadline - clock.GetTimestamp();
            if (!ok || look != Look.Held || remaining <= 0)
            {
                _store.Looked("waited_miss");
                RedisLog.Waited(_logger, key.ToString(), clock.GetElapsedTime(started), !ok ? "Redis failed" : look == Look.Held ? "the lease ran out" : "the lease was dropped");
                return null;
            }

            var pause = TimeSpan.FromSeconds(Math.Min(remaining / (double)clock.TimestampFrequency, PollInterval.TotalSeconds));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(pause, clock, timeout.Token);
            if (await Task.WhenAny(notified.Task, delay).ConfigureAwait(false) == notified.Task)
            {
                timeout.Cancel();
            }

            if (cancellationToken.IsCancellationRequested)
            {
                _waiters.TryRemove(KeyValuePair.Create(key, notified));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private async ValueTask<(bool Ok, Look Look, RedisValue Value)> LookAsync(string operation, RedisKey outcomeKey, RedisKey leaseKey, bool lease, CancellationToken cancellationToken)
    {
        var milliseconds = lease ? Math.Max(1L, (long)_leaseLifetime.TotalMilliseconds) : 0L;
        var (ok, result) = await _store.RunAsync(
            operation,
            async db =>
            {
                var answer = (RedisResult[]?)await db.ScriptEvaluateAsync(LookScript, [outcomeKey, leaseKey], [_replica, milliseconds]).ConfigureAwait(false);
                return answer is { Length: > 0 } parts && (int)parts[0] is >= 0 and <= 3 and var look
                    ? ((Look)look, look == 1 && parts.Length > 1 ? (RedisValue)parts[1] : RedisValue.Null)
                    : (Look.Failed, RedisValue.Null);
            },
            cancellationToken).ConfigureAwait(false);
        return (ok && result.Item1 != Look.Failed, result.Item1, result.Item2);
    }

    private async ValueTask ReleaseLeaseAsync(TokenHash key, CancellationToken cancellationToken)
    {
        var hex = key.ToHexString();
        RedisKey leaseKey = _prefix + "l:" + hex;
        await _store.RunAsync(
            "release",
            async db =>
            {
                var drop = db.ScriptEvaluateAsync(ReleaseScript, [leaseKey], [_replica]);
                var notice = db.PublishAsync(_channel, "s:" + hex);
                await Task.WhenAll(drop, notice).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    // A value read from Redis: kept in front (so the next request is a 0-byte local hit) when it reads as
    // an outcome; the engine then checks it as any outcome from outside.
    private TokenOutcome? Keep(TokenHash key, string hex, RedisValue value, MemoryTokenCache local)
    {
        var outcome = _codec.Decode(hex, (byte[])value!);
        if (_codec.TakeUnprotectFailure())
        {
            LogUnprotectable();
        }

        if (outcome is null)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (outcome.StatusCode is not null && outcome.ExpiresAt > now + _rejectionLifetime)
        {
            outcome = Capped(outcome, now + _rejectionLifetime);
        }

        if (outcome.ExpiresAt <= now)
        {
            return null;
        }

        local.Set(key, outcome);
        return outcome;
    }

    private static TokenOutcome Capped(TokenOutcome refusal, DateTimeOffset expiresAt) => new()
    {
        ConfigurationFingerprint = refusal.ConfigurationFingerprint,
        ExpiresAt = expiresAt,
        StatusCode = refusal.StatusCode,
        Error = refusal.Error,
        ErrorDescription = refusal.ErrorDescription,
        ChallengeError = refusal.ChallengeError,
    };

    private void LogUnprotectable()
    {
        // At most one warning in five minutes: a replica with another key ring fails every read.
        var now = _time.GetUtcNow().UtcTicks;
        var last = Volatile.Read(ref _unprotectLogged);
        if ((last == long.MinValue || now - last >= TimeSpan.FromMinutes(5).Ticks) && Interlocked.CompareExchange(ref _unprotectLogged, now, last) == last)
        {
            RedisLog.Unprotectable(_logger);
        }
    }

    // Subscribes to the other replicas' notices with one handler. When SUBSCRIBE fails (Redis down, or
    // the pub/sub connection not up yet), the client keeps the registration and subscribes it by itself
    // once the connection is up; this replica still tries again every 250 ms, after taking its
    // registration back, so that it never holds two (each notice handled twice, or a queue nobody reads).
    // A failed attempt says nothing about the data path. Ready completes once subscribed, or at the
    // first failure while Redis is down (the start does not wait for it).
    private async Task SubscribeAsync()
    {
        var connection = await _store.Connected.ConfigureAwait(false);
        var subscriber = connection.GetSubscriber();
        while (!_closing.IsCancellationRequested)
        {
            try
            {
                await subscriber.SubscribeAsync(_channel, _handler).ConfigureAwait(false);
                _ready.TrySetResult();
                return;
            }
            catch (RedisException)
            {
                if (!connection.IsConnected)
                {
                    _ready.TrySetResult();
                }
            }

            try
            {
                // Local first: the registration is gone even when the UNSUBSCRIBE cannot be sent.
                await subscriber.UnsubscribeAsync(_channel, _handler).ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // Not subscribed at the server either.
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), _closing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        _ready.TrySetResult();
    }

    // A notice from a replica (or anyone who can publish on the channel: it can only make this replica
    // drop a local copy or look at Redis again). Anything malformed is ignored.
    private void Notice(RedisValue message)
    {
        if (message.IsNullOrEmpty || message.ToString() is not { Length: 66 } text || text[1] != ':' || !TokenHash.TryParse(text.AsSpan(2), out var key))
        {
            return;
        }

        if (text[0] == 'r')
        {
            Volatile.Read(ref _local).Remove(key);
            RedisLog.RevokedElsewhere(_logger, key.ToString());
        }
        else if (text[0] != 's')
        {
            return;
        }

        if (_waiters.TryRemove(key, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    // Notices may have been missed while the subscription was down (a revocation among them): the
    // local copies are dropped; the next requests read them from Redis again.
    private void Forget() => Volatile.Write(ref _local, new MemoryTokenCache(_capacity, _time));

    private enum Look
    {
        Nothing = 0,
        Value = 1,
        Leased = 2,
        Held = 3,
        Failed = 4,
    }
}
