using System.Diagnostics.CodeAnalysis;
using Flaat.Caching;
using Flaat.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Flaat.Engine;

/// <summary>
/// The engine's access to its <see cref="IFlaatTokenCache"/>: a store that fails (a shared store that
/// is down) costs the cache, never the authentication. A read that throws is a miss, a write that
/// throws is dropped (the result is returned all the same); each is counted
/// (<c>flaat.cache.errors</c>) and logged as a warning, at most once per <see cref="LogInterval"/> and kind.
/// </summary>
internal sealed class TokenCacheGuard(IFlaatTokenCache cache, FlaatTelemetry metrics, TimeProvider time, ILogger logger)
{
    /// <summary>The shortest time between two warnings of one kind.</summary>
    public static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(30);

    private readonly long[] _lastLogged = [long.MinValue, long.MinValue, long.MinValue];

    private enum Operation
    {
        TryGet,
        Get,
        Set,
    }

    /// <summary>The synchronous read of the hot path; a miss when the cache throws.</summary>
    public bool TryGet(TokenHash key, DateTimeOffset now, [NotNullWhen(true)] out TokenOutcome? outcome)
    {
        try
        {
            return cache.TryGet(key, now, out outcome);
        }
        catch (Exception e)
        {
            Failed(Operation.TryGet, e);
            outcome = null;
            return false;
        }
    }

    /// <summary>The read of a miss; <see langword="null"/> when the cache throws (other than for <paramref name="cancellationToken"/>).</summary>
    public async ValueTask<TokenOutcome?> GetAsync(TokenHash key, CancellationToken cancellationToken)
    {
        try
        {
            return await cache.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed(Operation.Get, e);
            return null;
        }
    }

    /// <summary>Keeps an outcome; a cache that throws (other than for <paramref name="cancellationToken"/>) loses it.</summary>
    public async ValueTask SetAsync(TokenHash key, TokenOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            await cache.SetAsync(key, outcome, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed(Operation.Set, e);
        }
    }

    /// <summary>Tells the cache a load kept nothing; a cache that throws (other than for <paramref name="cancellationToken"/>) is counted.</summary>
    public async ValueTask ReleaseAsync(TokenHash key, CancellationToken cancellationToken)
    {
        try
        {
            await cache.ReleaseAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed(Operation.Set, e, "release");
        }
    }

    /// <summary>The shared memory of a probed token's issuer; <see langword="null"/> when the cache throws (other than for <paramref name="cancellationToken"/>).</summary>
    public async ValueTask<string?> GetIssuerAsync(TokenHash key, CancellationToken cancellationToken)
    {
        try
        {
            return await cache.GetIssuerAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed(Operation.Get, e, "get_issuer");
            return null;
        }
    }

    /// <summary>Shares a probed token's issuer; a cache that throws (other than for <paramref name="cancellationToken"/>) loses it.</summary>
    public async ValueTask SetIssuerAsync(TokenHash key, string issuer, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        try
        {
            await cache.SetIssuerAsync(key, issuer, expiresAt, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed(Operation.Set, e, "set_issuer");
        }
    }

    private void Failed(Operation operation, Exception error, string? what = null)
    {
        var name = what ?? operation switch
        {
            Operation.TryGet => "try_get",
            Operation.Get => "get",
            _ => "set",
        };
        metrics.CacheFailed(name);

        // One warning per kind and interval: a store that is down fails every request.
        var now = time.GetUtcNow().UtcTicks;
        ref var last = ref _lastLogged[(int)operation];
        var seen = Volatile.Read(ref last);
        if ((seen != long.MinValue && now - seen < LogInterval.Ticks) || Interlocked.CompareExchange(ref last, now, seen) != seen)
        {
            return;
        }

        switch (operation)
        {
            case Operation.TryGet:
                EngineLog.CacheTryGetFailed(logger, error.GetType().Name, error.Message, error);
                break;
            case Operation.Get:
                EngineLog.CacheGetFailed(logger, error.GetType().Name, error.Message, error);
                break;
            default:
                EngineLog.CacheSetFailed(logger, error.GetType().Name, error.Message, error);
                break;
        }
    }
}
