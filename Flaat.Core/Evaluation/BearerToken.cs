namespace Flaat.Evaluation;

/// <summary>
/// The access token a request carried, or why it carried none. Read from an
/// <c>Authorization</c> header value (HTTP, gRPC metadata) or given directly.
/// </summary>
/// <remarks>
/// Only a token of RFC 6750's <c>b64token</c> shape and at most 16 384 characters long is
/// accepted; anything else is refused here, before any OP is asked, with a
/// <see cref="Problem"/> that never repeats the token.
/// </remarks>
public readonly struct BearerToken
{
    private const string Scheme = "Bearer";

    private BearerToken(string? token, string? problem, string? challengeError = null)
    {
        Token = token;
        Problem = problem;
        ChallengeError = challengeError;
    }

    /// <summary>The token, without the scheme; <see langword="null"/> when there is none.</summary>
    public string? Token { get; }

    /// <summary>Why there is no token (the 401 description); <see langword="null"/> when there is one.</summary>
    public string? Problem { get; }

    /// <summary>Whether a token was found.</summary>
    public bool HasToken => Token is not null;

    /// <summary>Whether the request sent credentials at all (an <c>Authorization</c> header, even a malformed one).</summary>
    public bool WasPresented { get; private init; }

    /// <summary>A request that carried no <c>Authorization</c> header.</summary>
    public static BearerToken None { get; } = new(null, "No authorization header");

    /// <summary>
    /// The RFC 6750 <c>error</c> of the 401 challenge when bearer credentials were presented but
    /// are malformed (<c>invalid_request</c>) or the token has the wrong shape (<c>invalid_token</c>);
    /// <see langword="null"/> with a token, without credentials, or with another scheme's credentials
    /// (RFC 6750 section 3.1: no error code then).
    /// </summary>
    internal string? ChallengeError { get; }

    /// <summary>A request with more than one <c>Authorization</c> header (or gRPC <c>authorization</c> entry): never guessed at.</summary>
    internal static BearerToken SeveralHeaders { get; } =
        new(null, "The request carries more than one authorization header", TokenGrammar.InvalidRequest) { WasPresented = true };

    /// <summary>
    /// Reads an <c>Authorization</c> header value: <c>Bearer</c> (matched case-insensitively),
    /// exactly one space, and the token (RFC 6750 section 2.1). White space around the whole value
    /// is ignored, as HTTP ignores it; tabs or several spaces after the scheme, an empty token, a
    /// token that is not a <c>b64token</c> or longer than 16 384 characters are refused.
    /// </summary>
    /// <param name="authorization">The header value; <see langword="null"/> or empty when absent.</param>
    public static BearerToken FromAuthorizationHeader(string? authorization)
    {
        var value = authorization.AsSpan().Trim(" \t");
        if (value.IsEmpty)
        {
            return None;
        }

        if (!value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || (value.Length > Scheme.Length && value[Scheme.Length] is not (' ' or '\t')))
        {
            // Another scheme (Basic, or "Bearerxyz"): not bearer credentials at all.
            return new(null, "No bearer token in authorization header") { WasPresented = true };
        }

        if (value.Length == Scheme.Length)
        {
            return new(null, "No access token", TokenGrammar.InvalidRequest) { WasPresented = true };
        }

        var token = value[(Scheme.Length + 1)..];
        if (value[Scheme.Length] != ' ' || token[0] is ' ' or '\t')
        {
            return new(null, "The Bearer scheme must be followed by exactly one space and the token", TokenGrammar.InvalidRequest) { WasPresented = true };
        }

        return TokenGrammar.Problem(token) is { } problem
            ? new(null, problem, TokenGrammar.InvalidToken) { WasPresented = true }
            : new(token.ToString(), null) { WasPresented = true };
    }

    /// <summary>
    /// A token given directly (a worker that reads tokens from a queue, a CLI). White space around
    /// it is ignored; a token that is not a <c>b64token</c> or longer than 16 384 characters is refused.
    /// </summary>
    /// <param name="accessToken">The token, without the <c>Bearer </c> prefix.</param>
    public static BearerToken FromToken(string? accessToken)
    {
        if (accessToken is null)
        {
            return new(null, "No access token");
        }

        var token = accessToken.AsSpan().Trim();
        if (token.IsEmpty)
        {
            return new(null, "No access token", TokenGrammar.InvalidRequest) { WasPresented = true };
        }

        if (TokenGrammar.Problem(token) is { } problem)
        {
            return new(null, problem, TokenGrammar.InvalidToken) { WasPresented = true };
        }

        return new(token.Length == accessToken.Length ? accessToken : token.ToString(), null) { WasPresented = true };
    }

    /// <summary>The 401 error for a request without a usable token (carries the challenge's <c>error</c> code).</summary>
    internal FlaatError ToError() =>
        new(401, FlaatUnauthenticatedException.ErrorName, Problem ?? "No access token") { ChallengeError = ChallengeError };
}
