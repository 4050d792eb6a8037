namespace Flaat.Evaluation;

/// <summary>
/// The <c>WWW-Authenticate</c> challenges of a DPoP refusal, and of any 401 where DPoP is required
/// (RFC 9449 section 7.1): a <c>DPoP</c> challenge with <c>algs</c> (and the error, when the DPoP
/// check refused), and a <c>Bearer</c> challenge beside it wherever bearer tokens are allowed. A
/// bearer refusal where bearer tokens are allowed keeps its one <c>Bearer</c> challenge.
/// </summary>
public sealed partial class DpopTokenBinder
{
    private const int MaxDescriptionLength = 256;

    /// <summary>The error with its challenges set for this endpoint and presentation; other statuses unchanged.</summary>
    /// <param name="error">The refusal.</param>
    /// <param name="token">What the request presented.</param>
    /// <param name="policy">The endpoint's policy.</param>
    /// <param name="user">The token's user, when known (for the issuer's mode).</param>
    /// <param name="fromThisBinder">Whether this binder refused (another binder's refusal of a bearer token keeps its own challenge).</param>
    internal FlaatError WithChallenges(FlaatError error, PresentedToken token, FlaatPolicy policy, UserInfos? user, bool fromThisBinder = false)
    {
        if (error.StatusCode != 401 || error.Challenges is not null)
        {
            return error;
        }

        // Without a user (the engine refused the token), a JWT's own iss, unverified, picks the issuer's
        // mode: it shapes only which challenges are offered, never what is admitted.
        var mode = policy.Dpop ?? (user is not null ? ModeOf(policy, user) : _issuerModes.Count > 0 ? IssuerMode(ClaimedIssuer(token)) ?? _mode : _mode);
        var dpopError = error.ChallengeScheme == DpopToken.Scheme;
        if (!fromThisBinder && token.Scheme != DpopToken.Scheme && mode != DpopMode.Required)
        {
            // A bearer refusal where bearer tokens are allowed keeps its one Bearer challenge, as
            // before DPoP; DPoP clients learn the algorithms from the OP's metadata or a DPoP refusal.
            return error;
        }

        var challenges = new List<string>(2);
        if (mode != DpopMode.Disabled)
        {
            challenges.Add(dpopError
                ? $"DPoP error=\"{error.ChallengeError ?? TokenGrammar.InvalidToken}\", error_description=\"{Quotable(error.Description)}\", algs=\"{Algorithms}\""
                : $"DPoP algs=\"{Algorithms}\"");
        }

        if (mode != DpopMode.Required)
        {
            // Where no DPoP challenge is offered (mode Disabled) a refused bearer presentation (a bound
            // token sent as Bearer) names its error in the Bearer challenge.
            var bearerError = dpopError && (mode != DpopMode.Disabled || token.Scheme == DpopToken.Scheme)
                ? null
                : error.ChallengeError ?? (token.HasToken ? TokenGrammar.InvalidToken : null);
            challenges.Add(bearerError is null
                ? BearerToken.Scheme
                : $"Bearer error=\"{bearerError}\", error_description=\"{Quotable(error.Description)}\"");
        }

        return new FlaatError(error.StatusCode, error.Error, error.Description, error.Details)
        {
            RetryAfter = error.RetryAfter,
            ChallengeError = error.ChallengeError,
            ChallengeScheme = error.ChallengeScheme,
            DpopNonce = error.DpopNonce,
            Challenges = challenges,
        };
    }

    /// <summary>The <c>iss</c> a presented JWT claims, unverified; <see langword="null"/> for anything else.</summary>
    private static string? ClaimedIssuer(PresentedToken token) =>
        token.Token is { } text && Flaat.Tokens.DecodedJwt.TryDecode(text, out _) is { } jwt
        && jwt.Body.TryGetProperty("iss", out var iss) && iss.ValueKind == System.Text.Json.JsonValueKind.String
            ? iss.GetString()
            : null;

    // RFC 6750 section 3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
    private static string Quotable(string description) =>
        string.Create(Math.Min(description.Length, MaxDescriptionLength), description, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = source[i] switch
                {
                    '"' => '\'',
                    '\\' => '/',
                    < ' ' or > '~' => '?',
                    var c => c,
                };
            }
        });
}
