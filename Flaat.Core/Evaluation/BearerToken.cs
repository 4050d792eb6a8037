namespace Flaat.Evaluation;

/// <summary>
/// The access token a request carried, or why it carried none. Read from an
/// <c>Authorization</c> header value (HTTP, gRPC metadata) or given directly.
/// </summary>
public readonly struct BearerToken
{
    private BearerToken(string? token, string? problem)
    {
        Token = token;
        Problem = problem;
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
    /// Reads an <c>Authorization</c> header value: the scheme <c>Bearer</c> is matched
    /// case-insensitively (RFC 6750) and only the prefix is stripped.
    /// </summary>
    /// <param name="authorization">The header value; <see langword="null"/> or empty when absent.</param>
    public static BearerToken FromAuthorizationHeader(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return None;
        }

        var value = authorization.AsSpan().TrimStart();
        const string scheme = "Bearer";
        if (value.Length < scheme.Length
            || !value[..scheme.Length].Equals(scheme, StringComparison.OrdinalIgnoreCase)
            || (value.Length > scheme.Length && value[scheme.Length] != ' '))
        {
            return new(null, "No bearer token in authorization header") { WasPresented = true };
        }

        var token = value[scheme.Length..].Trim(' ');
        if (token.IsEmpty)
        {
            return new(null, "No access token") { WasPresented = true };
        }

        // The common case: "Bearer <token>" with nothing to trim avoids no allocation we can skip.
        return new(token.ToString(), null) { WasPresented = true };
    }

    /// <summary>A token given directly (a worker that reads tokens from a queue, a CLI).</summary>
    /// <param name="accessToken">The token, without the <c>Bearer </c> prefix.</param>
    public static BearerToken FromToken(string? accessToken) =>
        string.IsNullOrWhiteSpace(accessToken)
            ? new(null, "No access token") { WasPresented = accessToken is not null }
            : new(accessToken.Trim(), null) { WasPresented = true };
}
