namespace Flaat.Evaluation;

/// <summary>
/// The <c>DPoP</c> scheme's reader (RFC 9449 section 7.1): an <c>Authorization: DPoP &lt;token&gt;</c>
/// header with exactly one <c>DPoP</c> proof header becomes a <see cref="PresentedToken"/> that
/// carries the proof and the request's method and URL, for the DPoP token binder to check.
/// </summary>
public static class DpopToken
{
    /// <summary>The scheme's name, as it stands in an <c>Authorization</c> header and a challenge.</summary>
    public const string Scheme = "DPoP";

    /// <summary>The request header that carries the proof (gRPC: the <c>dpop</c> metadata entry, the same HTTP/2 header).</summary>
    public const string ProofHeader = "DPoP";

    /// <summary>The response header that carries a server nonce for the client's next proof.</summary>
    public const string NonceHeader = "DPoP-Nonce";

    /// <summary>The challenge <c>error</c> of a proof that is missing, malformed or fails a check.</summary>
    public const string InvalidProof = "invalid_dpop_proof";

    /// <summary>The challenge <c>error</c> that asks the client to sign again with the server's nonce.</summary>
    public const string UseNonce = "use_dpop_nonce";

    /// <summary>Whether an <c>Authorization</c> header value uses the <c>DPoP</c> scheme (matched case-insensitively).</summary>
    /// <param name="authorization">The header value.</param>
    public static bool IsDpop(string? authorization)
    {
        var value = authorization.AsSpan().TrimStart(" \t");
        return value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            && (value.Length == Scheme.Length || value[Scheme.Length] is ' ' or '\t');
    }

    /// <summary>
    /// Reads an <c>Authorization: DPoP &lt;token&gt;</c> header value (the token's grammar is the
    /// bearer scheme's) and the request's proof headers; the proof itself is checked later, by the
    /// token binder, against <paramref name="method"/> and <paramref name="requestUrl"/>.
    /// </summary>
    /// <param name="authorization">The <c>Authorization</c> header value.</param>
    /// <param name="proofs">Every <c>DPoP</c> header value of the request: exactly one is accepted.</param>
    /// <param name="method">The request method (<c>POST</c> for gRPC).</param>
    /// <param name="requestUrl">The request URL as the server received it (scheme, host, path; the query is ignored).</param>
    public static PresentedToken FromAuthorizationHeader(string? authorization, IReadOnlyList<string?> proofs, string method, string requestUrl)
    {
        ArgumentNullException.ThrowIfNull(proofs);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(requestUrl);
        var value = authorization.AsSpan().Trim(" \t");
        if (!IsDpop(authorization))
        {
            return Refused("No DPoP token in authorization header", null);
        }

        if (value.Length == Scheme.Length)
        {
            return Refused("No access token", TokenGrammar.InvalidRequest);
        }

        var token = value[(Scheme.Length + 1)..];
        if (value[Scheme.Length] != ' ' || token.IsEmpty || token[0] is ' ' or '\t')
        {
            return Refused("The DPoP scheme must be followed by exactly one space and the token", TokenGrammar.InvalidRequest);
        }

        if (TokenGrammar.Problem(token) is { } problem)
        {
            return Refused(problem, TokenGrammar.InvalidToken);
        }

        return proofs.Count switch
        {
            0 => Refused("A DPoP token needs a DPoP proof header", InvalidProof),
            > 1 => Refused("The request carries more than one DPoP proof header", InvalidProof),
            _ when string.IsNullOrEmpty(proofs[0]) => Refused("The DPoP proof header is empty", InvalidProof),
            _ => new(Scheme, token.ToString(), null, TokenSource.AuthorizationHeader, wasPresented: true, proof: proofs[0], proofMethod: method, proofUrl: requestUrl),
        };
    }

    /// <summary>
    /// The presentation as one request's own: a new instance for a DPoP token with a proof (the one
    /// proof accepted for a request is remembered on its instance, so that the request judged twice
    /// is no replay of itself; an instance a token reader kept for a connection must not carry that
    /// to the next request), the same instance for anything else. Adapters call it once per request.
    /// </summary>
    /// <param name="token">What a reader found.</param>
    public static PresentedToken ForOneRequest(PresentedToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return token.Proof is null || !token.HasToken
            ? token
            : new(token.Scheme, token.Token, token.Problem, token.Source, token.WasPresented, token.ChallengeError, token.Proof, token.ProofMethod, token.ProofUrl);
    }

    private static PresentedToken Refused(string problem, string? challengeError) =>
        new(Scheme, null, problem, TokenSource.AuthorizationHeader, wasPresented: true, challengeError);
}
