namespace Flaat.Evaluation;

/// <summary>
/// The <c>Bearer</c> scheme's reader (RFC 6750): turns an <c>Authorization</c> header value, or a
/// token given directly, into a <see cref="PresentedToken"/> — the token, or why there is none.
/// </summary>
/// <remarks>
/// Only a token of RFC 6750's <c>b64token</c> shape and at most 16 384 characters long is
/// accepted; anything else is refused here, before any OP is asked, with a
/// <see cref="PresentedToken.Problem"/> that never repeats the token.
/// </remarks>
public static partial class BearerToken
{
    /// <summary>The scheme's name, as it stands in an <c>Authorization</c> header and a challenge.</summary>
    public const string Scheme = "Bearer";

    /// <summary>
    /// A request with more than one <c>Authorization</c> header (or gRPC <c>authorization</c> entry):
    /// refused as malformed (<c>invalid_request</c>), never joined or guessed at.
    /// </summary>
    public static PresentedToken SeveralHeaders { get; } = Presented(null, "The request carries more than one authorization header", TokenSource.AuthorizationHeader, TokenGrammar.InvalidRequest);

    /// <summary>
    /// A request that presents an access token in more than one way (say the <c>Authorization</c>
    /// header and a gateway header): refused as malformed (<c>invalid_request</c>), as RFC 6750
    /// section 2 forbids it, rather than letting the order of the readers pick one.
    /// </summary>
    public static PresentedToken SeveralMethods { get; } = Presented(null, "The request presents an access token in more than one way", TokenSource.Other, TokenGrammar.InvalidRequest);

    private static readonly PresentedToken OtherScheme = Presented(null, "No bearer token in authorization header", TokenSource.AuthorizationHeader);
    private static readonly PresentedToken SchemeOnly = Presented(null, "No access token", TokenSource.AuthorizationHeader, TokenGrammar.InvalidRequest);
    private static readonly PresentedToken BadSeparator = Presented(null, "The Bearer scheme must be followed by exactly one space and the token", TokenSource.AuthorizationHeader, TokenGrammar.InvalidRequest);

    /// <summary>
    /// Reads an <c>Authorization</c> header value: <c>Bearer</c> (matched case-insensitively),
    /// exactly one space, and the token (RFC 6750 section 2.1). White space around the whole value
    /// is ignored, as HTTP ignores it; tabs or several spaces after the scheme, an empty token, a
    /// token that is not a <c>b64token</c> or longer than 16 384 characters are refused.
    /// </summary>
    /// <param name="authorization">The header value; <see langword="null"/> or empty when absent.</param>
    public static PresentedToken FromAuthorizationHeader(string? authorization)
    {
        var value = authorization.AsSpan().Trim(" \t");
        if (value.IsEmpty)
        {
            return PresentedToken.None;
        }

        if (!value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || (value.Length > Scheme.Length && value[Scheme.Length] is not (' ' or '\t')))
        {
            // Another scheme (Basic, or "Bearerxyz"): not bearer credentials at all.
            return OtherScheme;
        }

        if (value.Length == Scheme.Length)
        {
            return SchemeOnly;
        }

        var token = value[(Scheme.Length + 1)..];
        if (value[Scheme.Length] != ' ' || token[0] is ' ' or '\t')
        {
            return BadSeparator;
        }

        return TokenGrammar.Problem(token) is { } problem
            ? Presented(null, problem, TokenSource.AuthorizationHeader, TokenGrammar.InvalidToken)
            : Presented(token.ToString(), null, TokenSource.AuthorizationHeader);
    }

    /// <summary>
    /// A token given directly (a worker that reads tokens from a queue, a CLI) or found by a custom
    /// token reader. White space around it is ignored; a token that is not a <c>b64token</c> or
    /// longer than 16 384 characters is refused.
    /// </summary>
    /// <param name="accessToken">The token, without the <c>Bearer </c> prefix.</param>
    /// <param name="source">Where the token was found.</param>
    public static PresentedToken FromToken(string? accessToken, TokenSource source = TokenSource.Direct)
    {
        if (accessToken is null)
        {
            return new(Scheme, null, "No access token", source, wasPresented: false);
        }

        var token = accessToken.AsSpan().Trim();
        if (token.IsEmpty)
        {
            return Presented(null, "No access token", source, TokenGrammar.InvalidRequest);
        }

        if (TokenGrammar.Problem(token) is { } problem)
        {
            return Presented(null, problem, source, TokenGrammar.InvalidToken);
        }

        return Presented(token.Length == accessToken.Length ? accessToken : token.ToString(), null, source);
    }

    private static PresentedToken Presented(string? token, string? problem, TokenSource source, string? challengeError = null) =>
        new(Scheme, token, problem, source, wasPresented: true, challengeError);
}
