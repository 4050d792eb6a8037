using System.Buffers;

namespace Flaat;

/// <summary>
/// The shape every access token must have before Flaat does any work with it: RFC 6750's
/// <c>b64token</c> (<c>1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="</c>) and at most
/// <see cref="MaxLength"/> characters. JWTs and the opaque tokens of common OPs fit it; a token
/// outside it cannot be an HTTP header value (or could not be shown to an OP as one), so it is
/// refused as the client's fault (401) before it costs an OP call.
/// </summary>
internal static class TokenGrammar
{
    /// <summary>The longest token accepted, in characters (16 KiB; large JWTs with many claims stay far below).</summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>The RFC 6750 <c>error</c> of a request whose credentials are malformed.</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>The RFC 6750 <c>error</c> of a token that is not accepted.</summary>
    public const string InvalidToken = "invalid_token";

    /// <summary>Why a token too long is refused.</summary>
    public static readonly string TooLong = $"The access token is longer than {MaxLength} characters";

    /// <summary>Why a token outside the grammar is refused (the token itself is never echoed).</summary>
    public const string BadCharacters = "The access token is not an RFC 6750 b64token (letters, digits, '-', '.', '_', '~', '+', '/', then optional trailing '=')";

    private static readonly SearchValues<char> B64TokenCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");

    /// <summary>Why a token does not have the required shape; <see langword="null"/> when it has.</summary>
    /// <param name="token">The token, without scheme or surrounding white space.</param>
    public static string? Problem(ReadOnlySpan<char> token)
    {
        if (token.Length > MaxLength)
        {
            return TooLong;
        }

        // "=" only at the end: the rest must be one or more of the b64token characters.
        var body = token.TrimEnd('=');
        return body.IsEmpty || body.ContainsAnyExcept(B64TokenCharacters) ? BadCharacters : null;
    }

    /// <summary>Whether a token has the required shape.</summary>
    public static bool IsValid(ReadOnlySpan<char> token) => Problem(token) is null;
}
