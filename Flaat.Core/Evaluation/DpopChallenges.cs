namespace Flaat.Evaluation;

/// <summary>
/// The <c>WWW-Authenticate</c> challenges of a 401 where DPoP is on (RFC 9449 section 7.1): a
/// <c>DPoP</c> challenge with <c>algs</c> (and the error, when the DPoP scheme was refused), and a
/// <c>Bearer</c> challenge beside it wherever bearer tokens are allowed.
/// </summary>
public sealed partial class DpopTokenBinder
{
    private const int MaxDescriptionLength = 256;

    /// <summary>The error with its challenges set for this endpoint and presentation; other statuses unchanged.</summary>
    internal FlaatError WithChallenges(FlaatError error, PresentedToken token, FlaatPolicy policy, UserInfos? user)
    {
        if (error.StatusCode != 401 || error.Challenges is not null)
        {
            return error;
        }

        var mode = ModeOf(policy, user);
        var dpopError = error.ChallengeScheme == DpopToken.Scheme;
        if (mode == DpopMode.Disabled && !dpopError)
        {
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
            var bearerError = dpopError ? null : error.ChallengeError ?? (token.HasToken ? TokenGrammar.InvalidToken : null);
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
