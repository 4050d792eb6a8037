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
}

/// <summary>The default <see cref="IFlaatTokenCache"/>: bounded, in memory, lock-free reads.</summary>
internal sealed class InMemoryTokenCache(int capacity, TimeProvider time) : IFlaatTokenCache
{
    private readonly BoundedCache<TokenHash, TokenOutcome> _entries = new(capacity);

    public bool TryGet(TokenHash key, DateTimeOffset now, [NotNullWhen(true)] out TokenOutcome? outcome) =>
        _entries.TryGet(key, now.UtcTicks, out outcome);

    public ValueTask<TokenOutcome?> GetAsync(TokenHash key, CancellationToken cancellationToken) =>
        new(_entries.TryGet(key, time.GetUtcNow().UtcTicks, out var outcome) ? outcome : null);

    public ValueTask SetAsync(TokenHash key, TokenOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        _entries.Set(key, outcome, outcome.ExpiresAt.UtcTicks, time.GetUtcNow().UtcTicks);
        return ValueTask.CompletedTask;
    }
}
