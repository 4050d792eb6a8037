namespace Flaat.Engine;

/// <summary>
/// Offline JWT mode (<see cref="FlaatOptions.TokenClaimsSuffice"/>, flaat issue #7) in one place: a
/// verified access token's own claims answer a request without any OP call; a caller whose
/// requirements those claims do not meet asks again with <see cref="AuthenticationRequest.RequireUserInfo"/>
/// (the evaluator does, on a result marked <see cref="AuthenticationResult.IsTokenOnly"/>), and the OP's
/// userinfo is then added.
/// </summary>
internal sealed class OfflineMode(bool tokenClaimsSuffice)
{
    /// <summary>Whether JWTs must declare themselves access tokens (their claims alone may decide).</summary>
    public bool RequiresAccessTokenType => tokenClaimsSuffice;

    /// <summary>Whether a verified JWT's claims alone answer this request.</summary>
    public bool TokenSuffices(AuthenticationRequest request) => tokenClaimsSuffice && !request.RequireUserInfo;

    /// <summary>Whether a cached outcome may answer a request: not a token-only one when userinfo is required.</summary>
    public static bool Serves(bool isTokenOnly, AuthenticationRequest request) => !(isTokenOnly && request.RequireUserInfo);

    /// <summary>
    /// Whether a refusal must leave the cache alone: a rejection of a userinfo-required request (the
    /// OP refused userinfo) must not replace the token-only success cached for the same token, which
    /// stays valid.
    /// </summary>
    public bool KeepsTokenOnlySuccess(AuthenticationRequest request, AuthenticationResult result) =>
        tokenClaimsSuffice && request.RequireUserInfo && result.Error?.StatusCode == 401;
}
