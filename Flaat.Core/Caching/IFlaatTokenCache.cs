using System.Diagnostics.CodeAnalysis;

namespace Flaat.Caching;

/// <summary>
/// Where the engine keeps what it learned about each token (a <see cref="TokenOutcome"/>), keyed by
/// the token's SHA-256 (<see cref="TokenHash"/>), never by the token. The default keeps them in
/// memory, bounded by <see cref="FlaatCacheOptions.MaxUserInfos"/>; pass another implementation to
/// <see cref="Engine.FlaatAuthenticator"/> (with ASP.NET Core, register it as a service) to share them, e.g.
/// between the replicas of an API.
/// </summary>
/// <remarks>
/// <para>
/// Every request first calls <see cref="TryGet"/>, synchronously: answer it from memory only, never
/// over the network (return <see langword="false"/> when an entry is not in memory). A request the
/// memory cannot answer calls <see cref="GetAsync"/> once per token (concurrent requests with one
/// token share the call), and, when the engine had to ask the OPs, <see cref="SetAsync"/> with the new
/// outcome. An outcome must not be served after its <see cref="TokenOutcome.ExpiresAt"/>.
/// </para>
/// <para>
/// Implementations must be thread-safe. The engine treats the outcomes it reads as immutable; an
/// in-memory implementation should hand back the instance it was given, so that a hit costs no
/// allocation (the engine keeps the user infos it built beside it).
/// </para>
/// </remarks>
public interface IFlaatTokenCache
{
    /// <summary>Reads an outcome from memory, synchronously; the hot path of every request.</summary>
    /// <param name="key">The token's SHA-256.</param>
    /// <param name="now">The current time; an outcome that expired by then is not returned.</param>
    /// <param name="outcome">The outcome, when found.</param>
    /// <returns>Whether a current outcome was found in memory.</returns>
    bool TryGet(TokenHash key, DateTimeOffset now, [NotNullWhen(true)] out TokenOutcome? outcome);

    /// <summary>Reads an outcome wherever it is kept (in memory or a shared store); called on a miss of <see cref="TryGet"/>.</summary>
    /// <param name="key">The token's SHA-256.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The outcome, or <see langword="null"/> when none is kept.</returns>
    ValueTask<TokenOutcome?> GetAsync(TokenHash key, CancellationToken cancellationToken);

    /// <summary>Keeps an outcome until its <see cref="TokenOutcome.ExpiresAt"/>, replacing any other outcome of the token.</summary>
    /// <param name="key">The token's SHA-256.</param>
    /// <param name="outcome">The outcome.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the outcome is kept.</returns>
    ValueTask SetAsync(TokenHash key, TokenOutcome outcome, CancellationToken cancellationToken);

    /// <summary>
    /// Drops the outcome of a token wherever it is kept (for a shared store: in every process that
    /// shares it), so that the next request with the token is decided anew; called by
    /// <see cref="IFlaatTokenRevoker"/>. Unlike the other members, a failure should throw: the caller
    /// must learn that the token may still be served.
    /// </summary>
    /// <param name="key">The token's SHA-256.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the outcome is gone.</returns>
    ValueTask RemoveAsync(TokenHash key, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the cache that the load that followed a <see cref="GetAsync"/> miss ended without an
    /// outcome to keep (an OP outage, a refusal that is not remembered, a cancelled request). A shared
    /// store that made other processes wait for this one's answer lets them go on. The default does nothing.
    /// </summary>
    /// <param name="key">The token's SHA-256.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the cache has taken note.</returns>
    ValueTask ReleaseAsync(TokenHash key, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Reads the issuer that an earlier probe found for an opaque token, from a shared store; called when
    /// the engine's own memory of it has none. The engine uses the answer only when it names an issuer it
    /// trusts. The default has none.
    /// </summary>
    /// <param name="key">The token's SHA-256.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The issuer URL, or <see langword="null"/>.</returns>
    ValueTask<string?> GetIssuerAsync(TokenHash key, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

    /// <summary>Keeps the issuer a probe found for an opaque token until <paramref name="expiresAt"/>. The default keeps nothing (the engine remembers it in memory itself).</summary>
    /// <param name="key">The token's SHA-256.</param>
    /// <param name="issuer">The issuer URL, as configured.</param>
    /// <param name="expiresAt">When to forget it (<see cref="FlaatCacheOptions.TokenIssuerLifetime"/> from now).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the issuer is kept.</returns>
    ValueTask SetIssuerAsync(TokenHash key, string issuer, DateTimeOffset expiresAt, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>
/// The default <see cref="IFlaatTokenCache"/>: bounded, in memory, lock-free reads that hand back the kept
/// instance (a hit allocates nothing). A shared cache can put one in front of its store.
/// </summary>
public sealed class MemoryTokenCache : IFlaatTokenCache
{
    private readonly BoundedCache<TokenHash, TokenOutcome> _entries;
    private readonly TimeProvider _time;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="capacity">How many outcomes are kept at most (<see cref="FlaatCacheOptions.MaxUserInfos"/>); the oldest go first.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when omitted.</param>
    public MemoryTokenCache(int capacity, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _entries = new(capacity);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The number of outcomes held, expired ones included until they are swept.</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    public bool TryGet(TokenHash key, DateTimeOffset now, [NotNullWhen(true)] out TokenOutcome? outcome) =>
        _entries.TryGet(key, now.UtcTicks, out outcome);

    /// <inheritdoc />
    public ValueTask<TokenOutcome?> GetAsync(TokenHash key, CancellationToken cancellationToken) =>
        new(_entries.TryGet(key, _time.GetUtcNow().UtcTicks, out var outcome) ? outcome : null);

    /// <inheritdoc />
    public ValueTask SetAsync(TokenHash key, TokenOutcome outcome, CancellationToken cancellationToken)
    {
        Set(key, outcome);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask RemoveAsync(TokenHash key, CancellationToken cancellationToken)
    {
        Remove(key);
        return ValueTask.CompletedTask;
    }

    /// <summary>Keeps an outcome until its <see cref="TokenOutcome.ExpiresAt"/>, synchronously.</summary>
    /// <param name="key">The token's SHA-256.</param>
    /// <param name="outcome">The outcome.</param>
    public void Set(TokenHash key, TokenOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        _entries.Set(key, outcome, outcome.ExpiresAt.UtcTicks, _time.GetUtcNow().UtcTicks);
    }

    /// <summary>Drops the outcome of a token, synchronously.</summary>
    /// <param name="key">The token's SHA-256.</param>
    public void Remove(TokenHash key) => _entries.Remove(key);
}
