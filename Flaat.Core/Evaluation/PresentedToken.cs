namespace Flaat.Evaluation;

/// <summary>Where in a request a <see cref="PresentedToken"/> was found.</summary>
public enum TokenSource
{
    /// <summary>Given directly by the caller (a worker reading tokens from a queue, a CLI, a test).</summary>
    Direct,

    /// <summary>The <c>Authorization</c> request header (RFC 6750 section 2.1).</summary>
    AuthorizationHeader,

    /// <summary>Another request header (an API gateway's own header, for one).</summary>
    Header,

    /// <summary>The URI query string (RFC 6750 section 2.3; browsers' WebSockets and server-sent events).</summary>
    QueryString,

    /// <summary>Anywhere else a custom token reader looks.</summary>
    Other,
}

/// <summary>
/// What a request presents to prove who calls: the authentication scheme, the access token, the
/// proof that binds the token to the caller (a DPoP proof; none for bearer tokens) and where it was
/// found — or why there is no usable token. Made by a scheme's reader (<see cref="BearerToken"/>),
/// so a token here always has the shape RFC 6750 demands; immutable and safe to share between
/// requests (an HTTP/1 connection reuses the one its previous request presented).
/// </summary>
public sealed class PresentedToken
{
    private TokenHash _hash;
    private volatile bool _hashed;

    internal PresentedToken(string scheme, string? token, string? problem, TokenSource source, bool wasPresented, string? challengeError = null, string? proof = null, string? proofMethod = null, string? proofUrl = null)
    {
        Scheme = scheme;
        Proof = proof;
        ProofMethod = proofMethod;
        ProofUrl = proofUrl;
        Token = token;
        Problem = problem;
        Source = source;
        WasPresented = wasPresented;
        ChallengeError = challengeError;
    }

    /// <summary>A request that presented nothing: no <c>Authorization</c> header, nor any other credentials a reader knows.</summary>
    public static PresentedToken None { get; } = new(BearerToken.Scheme, null, "No authorization header", TokenSource.AuthorizationHeader, wasPresented: false);

    /// <summary>The authentication scheme (<c>Bearer</c>); the scheme of the challenge sent back when the token is refused.</summary>
    public string Scheme { get; }

    /// <summary>The token, without the scheme; <see langword="null"/> when there is none.</summary>
    public string? Token { get; }

    /// <summary>
    /// The proof of possession sent with the token (the value of a DPoP proof header), checked by a
    /// <see cref="IFlaatTokenBinder"/>; <see langword="null"/> for a bearer token.
    /// </summary>
    public string? Proof { get; }

    /// <summary>The method of the request the <see cref="Proof"/> came with (a DPoP proof's <c>htm</c> must equal it).</summary>
    internal string? ProofMethod { get; }

    /// <summary>The URL of the request the <see cref="Proof"/> came with, as the server received it (a DPoP proof's <c>htu</c> must name it).</summary>
    internal string? ProofUrl { get; }

    /// <summary>
    /// The key thumbprint of the DPoP proof already accepted for this very presentation (one request
    /// judged twice, by the authentication scheme and then by an endpoint's gate): the proof's
    /// <c>jti</c> was registered once and is not a replay of itself. A DPoP presentation belongs to one request.
    /// </summary>
    internal string? AcceptedProofKey { get; set; }

    /// <summary>Where the token was found.</summary>
    public TokenSource Source { get; }

    /// <summary>Why there is no token (the 401 description); <see langword="null"/> when there is one.</summary>
    public string? Problem { get; }

    /// <summary>Whether a token was found.</summary>
    public bool HasToken => Token is not null;

    /// <summary>Whether the request sent credentials at all (an <c>Authorization</c> header, even a malformed one or another scheme's).</summary>
    public bool WasPresented { get; }

    /// <summary>
    /// The RFC 6750 <c>error</c> of the 401 challenge when credentials of this scheme were presented
    /// but are malformed (<c>invalid_request</c>) or the token has the wrong shape (<c>invalid_token</c>);
    /// <see langword="null"/> with a token, without credentials, or with another scheme's credentials
    /// (RFC 6750 section 3.1: no error code then).
    /// </summary>
    public string? ChallengeError { get; }

    /// <summary>
    /// The SHA-256 of <see cref="Token"/>, computed once per instance: a token presented again
    /// (the same instance, as the per-connection memo hands it out) is not hashed again. Racing
    /// threads compute the same value, so the worst case is one hash too many.
    /// </summary>
    internal TokenHash Hash
    {
        get
        {
            if (!_hashed)
            {
                _hash = TokenHash.Compute(Token!);
                _hashed = true;
            }

            return _hash;
        }
    }

    /// <summary>The 401 error for a request without a usable token: <see cref="Problem"/>, with the challenge's <c>error</c> code and scheme.</summary>
    public FlaatError ToError() =>
        new(401, FlaatUnauthenticatedException.ErrorName, Problem ?? "No access token")
        {
            ChallengeError = ChallengeError,
            ChallengeScheme = Scheme == BearerToken.Scheme ? null : Scheme,
        };

    /// <summary>Says which scheme and source, never the token.</summary>
    public override string ToString() =>
        HasToken ? $"{Scheme} token ({Token!.Length} characters) from {Source}" : $"no token: {Problem}";
}
