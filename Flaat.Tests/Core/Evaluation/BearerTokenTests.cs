using Flaat.Evaluation;

namespace Flaat.Tests.Core.Evaluation;

public sealed class BearerTokenTests
{
    private const string NoBearer = "No bearer token in authorization header";

    [TestCase("Bearer abc", "abc")]
    [TestCase("bearer abc", "abc")]
    [TestCase("BEARER abc", "abc")]
    [TestCase("  Bearer abc\t ", "abc")]
    [TestCase("Bearer a-b.c_d~e+f/g==", "a-b.c_d~e+f/g==")]
    [TestCase("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln")]
    public void FromAuthorizationHeader_B64Token_IsTheTokenExactly(string header, string expected)
    {
        var token = BearerToken.FromAuthorizationHeader(header);

        Assert.Multiple(() =>
        {
            Assert.That(token.Token, Is.EqualTo(expected));
            Assert.That(token.Problem, Is.Null);
            Assert.That(token.ChallengeError, Is.Null);
            Assert.That(token.WasPresented, Is.True);
        });
    }

    [TestCase("Bearer t\u00f6ken")]
    [TestCase("Bearer abc\u20ac")]
    [TestCase("Bearer \ud83d\ude00")]
    [TestCase("Bearer a\u0000b")]
    [TestCase("Bearer a\rb")]
    [TestCase("Bearer a\u007fb")]
    [TestCase("Bearer a b")]
    [TestCase("Bearer a,b")]
    [TestCase("Bearer a, Bearer b")]
    [TestCase("Bearer a=b")]
    [TestCase("Bearer =abc")]
    [TestCase("Bearer ==")]
    [TestCase("Bearer a\"b")]
    [TestCase("Bearer a:b")]
    public void FromAuthorizationHeader_TokenOutsideTheGrammar_IsInvalidToken(string header)
    {
        var token = BearerToken.FromAuthorizationHeader(header);

        Assert.Multiple(() =>
        {
            Assert.That(token.HasToken, Is.False);
            Assert.That(token.Problem, Is.EqualTo(TokenGrammar.BadCharacters));
            Assert.That(token.ChallengeError, Is.EqualTo("invalid_token"));
            Assert.That(token.WasPresented, Is.True);
        });
    }

    [Test]
    public void FromAuthorizationHeader_TokenAtTheLimit_IsAcceptedAndOneMoreIsInvalidToken()
    {
        var atLimit = new string('a', TokenGrammar.MaxLength);

        var accepted = BearerToken.FromAuthorizationHeader("Bearer " + atLimit);
        var refused = BearerToken.FromAuthorizationHeader("Bearer " + atLimit + "a");

        Assert.Multiple(() =>
        {
            Assert.That(accepted.Token, Is.EqualTo(atLimit));
            Assert.That(refused.Problem, Is.EqualTo(TokenGrammar.TooLong));
            Assert.That(refused.ChallengeError, Is.EqualTo("invalid_token"));
        });
    }

    [TestCase("Bearer\tabc")]
    [TestCase("Bearer  abc")]
    [TestCase("Bearer \tabc")]
    public void FromAuthorizationHeader_NotExactlyOneSpaceAfterScheme_IsInvalidRequest(string header)
    {
        var token = BearerToken.FromAuthorizationHeader(header);

        Assert.Multiple(() =>
        {
            Assert.That(token.HasToken, Is.False);
            Assert.That(token.Problem, Does.Contain("exactly one space"));
            Assert.That(token.ChallengeError, Is.EqualTo("invalid_request"));
        });
    }

    [TestCase("Bearer")]
    [TestCase("Bearer ")]
    [TestCase("bearer \t")]
    public void FromAuthorizationHeader_SchemeWithoutToken_IsInvalidRequest(string header)
    {
        var token = BearerToken.FromAuthorizationHeader(header);

        Assert.That((token.Problem, token.ChallengeError), Is.EqualTo(("No access token", "invalid_request")));
    }

    [TestCase("Basic YWxpY2U6c2VjcmV0")]
    [TestCase("Bearerxyz")]
    [TestCase("Bearer-abc")]
    [TestCase("DPoP abc")]
    [TestCase("abc")]
    public void FromAuthorizationHeader_OtherScheme_IsNoBearerTokenWithoutErrorCode(string header)
    {
        var token = BearerToken.FromAuthorizationHeader(header);

        // RFC 6750 section 3.1: a request with another scheme's credentials gets no error code.
        Assert.Multiple(() =>
        {
            Assert.That(token.Problem, Is.EqualTo(NoBearer));
            Assert.That(token.ChallengeError, Is.Null);
            Assert.That(token.WasPresented, Is.True);
        });
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase(" \t ")]
    public void FromAuthorizationHeader_Absent_IsNone(string? header)
    {
        var token = BearerToken.FromAuthorizationHeader(header);

        Assert.That((token.HasToken, token.WasPresented, token.Problem, token.ChallengeError), Is.EqualTo((false, false, "No authorization header", (string?)null)));
    }

    [Test]
    public void SeveralHeaders_IsInvalidRequest()
    {
        var token = BearerToken.SeveralHeaders;

        Assert.Multiple(() =>
        {
            Assert.That(token.HasToken, Is.False);
            Assert.That(token.WasPresented, Is.True);
            Assert.That(token.ChallengeError, Is.EqualTo("invalid_request"));
            Assert.That(token.ToError().ChallengeError, Is.EqualTo("invalid_request"));
            Assert.That(token.ToError().StatusCode, Is.EqualTo(401));
        });
    }

    [TestCase("abc\n", "abc")]
    [TestCase("  abc  ", "abc")]
    [TestCase("abc==", "abc==")]
    public void FromToken_B64TokenWithWhiteSpaceAround_IsTheTrimmedToken(string given, string expected)
    {
        Assert.That(BearerToken.FromToken(given).Token, Is.EqualTo(expected));
    }

    [TestCase("t\u00f6ken")]
    [TestCase("a b")]
    [TestCase("Bearer abc")]
    [TestCase("a\u0000")]
    public void FromToken_TokenOutsideTheGrammar_IsInvalidToken(string given)
    {
        var token = BearerToken.FromToken(given);

        Assert.That((token.HasToken, token.Problem, token.ChallengeError), Is.EqualTo((false, TokenGrammar.BadCharacters, "invalid_token")));
    }

    [Test]
    public void FromToken_TooLong_IsInvalidToken()
    {
        var token = BearerToken.FromToken(new string('x', TokenGrammar.MaxLength + 1));

        Assert.That((token.HasToken, token.Problem), Is.EqualTo((false, TokenGrammar.TooLong)));
    }

    [Test]
    public void FromToken_SameStringWhenNothingIsTrimmed()
    {
        const string given = "abc.def";

        Assert.That(BearerToken.FromToken(given).Token, Is.SameAs(given));
    }
}
