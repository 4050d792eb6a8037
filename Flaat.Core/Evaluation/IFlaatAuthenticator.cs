namespace Flaat;

/// <summary>
/// Turns an access token into <see cref="UserInfos"/>, or into a precise failure. Implemented by
/// Flaat's token engine; adapters and the <see cref="Evaluation.FlaatEvaluator"/> call it.
/// </summary>
public interface IFlaatAuthenticator
{
    /// <summary>Authenticates an access token.</summary>
    /// <param name="request">The token and how to treat it.</param>
    /// <param name="cancellationToken">Cancels the work; always honoured.</param>
    /// <returns>The user infos, or the failure (401 bad token, 500 configuration, 503 OP unreachable).</returns>
    ValueTask<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken = default);
}

/// <summary>An access token to authenticate, and how.</summary>
/// <param name="AccessToken">The access token, without the <c>Bearer </c> prefix.</param>
/// <param name="IssuerHint">The issuer the caller believes issued the token; must be trusted.</param>
/// <param name="RequireUserInfo">
/// When the engine runs in offline JWT mode (a verified JWT's claims suffice), forces it to ask the
/// OP's userinfo endpoint as well. Ignored otherwise.
/// </param>
public readonly record struct AuthenticationRequest(string AccessToken, string? IssuerHint = null, bool RequireUserInfo = false)
{
    /// <summary>
    /// The SHA-256 of a token the caller already hashed (a token read before on the same
    /// connection), set only inside Flaat.Core together with <see cref="HashedToken"/>. The engine
    /// uses it only while <see cref="AccessToken"/> is that very string: a decorator that passes the
    /// request on with another token (<c>request with { AccessToken = ... }</c>) keeps both, and the
    /// engine then hashes the new token itself instead of answering for the old one.
    /// </summary>
    internal TokenHash? KnownHash { get; init; }

    /// <summary>The token string <see cref="KnownHash"/> was computed from.</summary>
    internal string? HashedToken { get; init; }

    /// <summary><see cref="KnownHash"/> when it belongs to <see cref="AccessToken"/> (the same string instance), else <see langword="null"/>.</summary>
    internal TokenHash? HashOfAccessToken => ReferenceEquals(HashedToken, AccessToken) ? KnownHash : null;

    // The generated ToString would print the token in clear, and a request is easily logged whole.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("AccessToken = [").Append(AccessToken?.Length ?? 0).Append(" characters, not shown], IssuerHint = ")
            .Append(IssuerHint).Append(", RequireUserInfo = ").Append(RequireUserInfo);
        return true;
    }
}

/// <summary>The outcome of authenticating an access token: user infos, or an error.</summary>
public sealed class AuthenticationResult
{
    private AuthenticationResult(UserInfos? userInfos, FlaatError? error, bool isTokenOnly)
    {
        UserInfos = userInfos;
        Error = error;
        IsTokenOnly = isTokenOnly;
    }

    /// <summary>Whether the token was accepted.</summary>
    public bool Succeeded => UserInfos is not null;

    /// <summary>The user infos when the token was accepted.</summary>
    public UserInfos? UserInfos { get; }

    /// <summary>The failure when the token was not accepted.</summary>
    public FlaatError? Error { get; }

    /// <summary>
    /// Whether the user infos come from the verified JWT alone (offline mode), without the OP's
    /// userinfo; a caller whose requirements fail may then ask again with
    /// <see cref="AuthenticationRequest.RequireUserInfo"/>.
    /// </summary>
    public bool IsTokenOnly { get; }

    /// <summary>A success.</summary>
    /// <param name="userInfos">The user infos.</param>
    /// <param name="isTokenOnly">Whether they come from the JWT alone.</param>
    public static AuthenticationResult Success(UserInfos userInfos, bool isTokenOnly = false)
    {
        ArgumentNullException.ThrowIfNull(userInfos);
        return new(userInfos, null, isTokenOnly);
    }

    /// <summary>A failure.</summary>
    /// <param name="error">What went wrong.</param>
    public static AuthenticationResult Failure(FlaatError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(null, error, false);
    }
}
