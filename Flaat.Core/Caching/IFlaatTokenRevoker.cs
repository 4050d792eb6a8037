namespace Flaat.Caching;

/// <summary>
/// Makes the engine forget what it decided about a token, so that the next request with it is
/// decided anew by the OP (which refuses a revoked token). With a cache shared by several replicas,
/// every replica forgets it. With ASP.NET Core, resolve it from the services.
/// </summary>
public interface IFlaatTokenRevoker
{
    /// <summary>Forgets an access token's outcome.</summary>
    /// <param name="accessToken">The access token (only its SHA-256 is used; it is not kept or logged).</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the outcome is gone; it fails when the cache could not remove it, so the token may still be served.</returns>
    ValueTask RevokeAsync(string accessToken, CancellationToken cancellationToken);

    /// <summary>Forgets an outcome by the token's SHA-256, for callers that only know the hash (e.g. from a log line or a revocation notice).</summary>
    /// <param name="key">The token's SHA-256.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the outcome is gone; it fails when the cache could not remove it.</returns>
    ValueTask RevokeAsync(TokenHash key, CancellationToken cancellationToken);
}
