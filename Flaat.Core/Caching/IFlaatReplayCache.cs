namespace Flaat.Caching;

/// <summary>
/// Remembers one-time values (the <c>jti</c> of a DPoP proof) until they expire, so that a second use
/// is seen as a replay. With several replicas, a shared implementation makes a proof used at one
/// replica a replay at every other. Keys are built by the engine from hashes, never from a token.
/// </summary>
public interface IFlaatReplayCache
{
    /// <summary>Remembers <paramref name="key"/> until <paramref name="expiresAt"/> unless it is remembered already.</summary>
    /// <param name="key">The one-time value's key.</param>
    /// <param name="expiresAt">When it may be forgotten (after that, the value is refused for its age anyway).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the key was new (first use); <see langword="false"/> when it was seen before (a replay).</returns>
    ValueTask<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}
