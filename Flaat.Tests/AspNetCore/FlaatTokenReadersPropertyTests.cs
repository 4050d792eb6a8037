using CsCheck;
using Flaat.AspNetCore;
using Flaat.Evaluation;
using Microsoft.AspNetCore.Http;

namespace Flaat.Tests.AspNetCore;

/// <summary>The rules of the token reader chain, checked over generated chains.</summary>
public sealed class FlaatTokenReadersPropertyTests
{
    /// <summary>What one reader may answer: nothing of its kind, another scheme's credentials, a refusal, a token.</summary>
    private static readonly Gen<PresentedToken?> Answer = Gen.OneOf(
        Gen.Const((PresentedToken?)null),
        Gen.Const<PresentedToken?>(PresentedToken.None),
        Gen.Const<PresentedToken?>(BearerToken.FromAuthorizationHeader("Basic YWxpY2U6c2VjcmV0")),
        Gen.Const<PresentedToken?>(BearerToken.SeveralHeaders),
        Gen.Const<PresentedToken?>(BearerToken.FromToken("a b", TokenSource.Header)),
        Gen.Int[0, 999].Select(i => (PresentedToken?)BearerToken.FromToken("token" + i, TokenSource.Other)));

    [Test]
    public void Read_GeneratedChains_TheOnePresentationElseFirstSeenElseNone_TwoPresentationsRefused()
    {
        Answer.Array[0, 6].Sample(answers =>
        {
            var chain = new FlaatTokenReaders(answers.Select(a => (IFlaatTokenReader)new Fixed(a)));

            var read = chain.Read(new DefaultHttpContext());

            // Presenting = a token or malformed credentials; two readers presenting anything is one
            // method too many (RFC 6750 section 2), whether the second is valid or not.
            var presenting = answers.Where(a => a is not null && (a.HasToken || a.ChallengeError is not null)).ToList();
            var expected = presenting.Count > 1
                ? BearerToken.SeveralMethods
                : presenting.FirstOrDefault() ?? answers.FirstOrDefault(a => a is not null) ?? PresentedToken.None;
            return ReferenceEquals(read, expected);
        });
    }

    private sealed class Fixed(PresentedToken? answer) : IFlaatTokenReader
    {
        public PresentedToken? Read(HttpContext context) => answer;
    }
}
