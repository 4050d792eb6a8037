using System.Text.RegularExpressions;
using CsCheck;
using Flaat.Evaluation;

namespace Flaat.Tests.Core.Evaluation;

/// <summary>
/// The Authorization header parser against generated input: valid tokens, near misses (non-ASCII,
/// controls, white space, commas, "=" inside, other schemes, empty, huge) and noise. The only
/// outcomes are the documented ones, never an exception, and the verdict agrees with an
/// independent statement of the grammar (a regular expression).
/// </summary>
public sealed partial class BearerTokenPropertyTests
{
    private const long Iterations = 100_000;

    private const string B64TokenCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";

    // Characters a client may slip into a token: non-ASCII (Latin-1, BMP, a surrogate pair's halves),
    // controls, white space, separators, "=" (only valid at the end), quotes.
    private const string BadCharacters = "\u00e9\u00f6\u20ac\u0131\u017f\u212a\ud83d\ude00\u0000\u0001\t\n\r\u007f\u0085\u00a0 ,;:=\"\\()<>@[]{}?!#$%&'*^`|";

    private static readonly string[] Problems =
    [
        "No authorization header",
        "No bearer token in authorization header",
        "No access token",
        "The Bearer scheme must be followed by exactly one space and the token",
        "The request carries more than one authorization header",
        TokenGrammar.BadCharacters,
        TokenGrammar.TooLong,
    ];

    private static readonly Gen<string> ValidToken =
        Gen.Select(Gen.Char[B64TokenCharacters].Array[1, 80], Gen.Int[0, 3], (body, padding) => new string(body) + new string('=', padding));

    private static readonly Gen<string> NearMissToken =
        Gen.Select(ValidToken, Gen.Char[BadCharacters], Gen.Int[0, 1000], (token, bad, at) => token.Insert(at % (token.Length + 1), bad.ToString()));

    private static readonly Gen<string> HugeToken =
        Gen.Int[TokenGrammar.MaxLength - 2, TokenGrammar.MaxLength + 2].Select(length => new string('a', length));

    private static readonly Gen<string> Token = Gen.Frequency(
        (50, ValidToken),
        (30, NearMissToken),
        (5, Gen.Const(string.Empty)),
        (5, Gen.Const("===")),
        (1, HugeToken),
        (9, Gen.String));

    // "Bearer" in random case, other schemes, near misses of the scheme, and characters that fold to its letters.
    private static readonly Gen<string> Scheme = Gen.Frequency(
        (70, Gen.Bool.Array[6].Select(upper => new string([.. "bearer".Select((c, i) => upper[i] ? char.ToUpperInvariant(c) : c)]))),
        (30, Gen.OneOf(Gen.Const("Basic"), Gen.Const("DPoP"), Gen.Const("Bearerx"), Gen.Const("Bear"), Gen.Const(""), Gen.Const("B\u0435arer"), Gen.Const("Bearer,"), Gen.String[0, 8])));

    private static readonly Gen<string> Separator = Gen.Frequency(
        (80, Gen.Const(" ")),
        (20, Gen.OneOf(Gen.Const(""), Gen.Const("  "), Gen.Const("\t"), Gen.Const(" \t"), Gen.Const("\u00a0"), Gen.Const(","))));

    private static readonly Gen<string> Padding = Gen.Frequency(
        (80, Gen.Const("")),
        (20, Gen.OneOf(Gen.Const(" "), Gen.Const("\t"), Gen.Const(" \t "), Gen.Const("\r\n"), Gen.Const("\u3000"))));

    private static readonly Gen<string> Header = Gen.Frequency(
        (90, Gen.Select(Padding, Scheme, Separator, Token, Padding, (lead, scheme, separator, token, trail) => lead + scheme + separator + token + trail)),
        (10, Gen.String));

    [Test]
    public void FromAuthorizationHeader_GeneratedHeaders_OnlyDocumentedOutcomesAndAgreesWithTheGrammar()
    {
        Header.Sample(header =>
        {
            var token = BearerToken.FromAuthorizationHeader(header);

            var expected = ExpectedToken(header);
            if (token.Token != expected)
            {
                throw new AssertionException($"Token {Show(token.Token)}, expected {Show(expected)}");
            }

            AssertDocumentedOutcome(token);
        }, iter: Iterations, print: Show);
    }

    [Test]
    public void FromAuthorizationHeader_GeneratedValidTokens_RoundTripExactly()
    {
        Gen.Select(ValidToken, Scheme, Padding, Padding, (token, scheme, lead, trail) => (token, scheme, lead, trail)).Sample(sample =>
        {
            var (token, scheme, lead, trail) = sample;
            if (!string.Equals(scheme, "bearer", StringComparison.OrdinalIgnoreCase) || !IsOws(lead) || !IsOws(trail))
            {
                return;
            }

            var read = BearerToken.FromAuthorizationHeader(lead + scheme + " " + token + trail);
            if (read.Token != token || read.Problem is not null)
            {
                throw new AssertionException($"{Show(token)} read back as {Show(read.Token)} ({read.Problem})");
            }
        }, iter: Iterations);
    }

    [Test]
    public void FromToken_GeneratedTokens_OnlyDocumentedOutcomesAndAgreesWithTheGrammar()
    {
        Gen.Select(Padding, Token, Padding, (lead, token, trail) => lead + token + trail).Sample(given =>
        {
            var token = BearerToken.FromToken(given);

            var trimmed = given.Trim();
            var expected = trimmed.Length <= TokenGrammar.MaxLength && Grammar().IsMatch(trimmed) ? trimmed : null;
            if (token.Token != expected)
            {
                throw new AssertionException($"Token {Show(token.Token)}, expected {Show(expected)}");
            }

            AssertDocumentedOutcome(token);
        }, iter: Iterations, print: Show);
    }

    /// <summary>The grammar, stated independently: OWS, "Bearer" in any case, one SP, a b64token, OWS.</summary>
    private static string? ExpectedToken(string header)
    {
        var match = Credentials().Match(header);
        return match.Success && match.Groups[1].Length <= TokenGrammar.MaxLength ? match.Groups[1].Value : null;
    }

    private static void AssertDocumentedOutcome(PresentedToken token)
    {
        var documented = token.HasToken
            ? token is { Problem: null, ChallengeError: null, WasPresented: true } && token.Token!.Length > 0
            : token.Problem is { } problem && Problems.Contains(problem) && token.ChallengeError switch
            {
                null => problem is "No authorization header" or "No bearer token in authorization header",
                "invalid_request" => problem is "No access token" or "The Bearer scheme must be followed by exactly one space and the token",
                "invalid_token" => problem == TokenGrammar.BadCharacters || problem == TokenGrammar.TooLong,
                _ => false,
            };
        if (!documented)
        {
            throw new AssertionException($"Undocumented outcome: token {Show(token.Token)}, problem {Show(token.Problem)}, code {Show(token.ChallengeError)}");
        }
    }

    private static bool IsOws(string value) => value.All(c => c is ' ' or '\t');

    private static string Show(string? value) =>
        value is null ? "null" : "\"" + string.Concat(value.Take(60).Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:x4}")) + (value.Length > 60 ? $"...\" ({value.Length} chars)" : "\"");

    [GeneratedRegex("^[ \\t]*[Bb][Ee][Aa][Rr][Ee][Rr] ([A-Za-z0-9\\-._~+/]+=*)[ \\t]*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Credentials();

    [GeneratedRegex("^[A-Za-z0-9\\-._~+/]+=*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
