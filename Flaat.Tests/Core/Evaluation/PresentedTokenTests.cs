using Flaat.Evaluation;

namespace Flaat.Tests.Core.Evaluation;

public sealed class PresentedTokenTests
{
    [Test]
    public void FromAuthorizationHeader_Token_IsBearerFromTheAuthorizationHeaderWithoutProof()
    {
        var token = BearerToken.FromAuthorizationHeader("Bearer abc");

        Assert.Multiple(() =>
        {
            Assert.That(token.Scheme, Is.EqualTo("Bearer"));
            Assert.That(token.Source, Is.EqualTo(TokenSource.AuthorizationHeader));
            Assert.That(token.Proof, Is.Null);
        });
    }

    [TestCase(TokenSource.Direct)]
    [TestCase(TokenSource.Header)]
    [TestCase(TokenSource.QueryString)]
    public void FromToken_GivenSource_IsKeptForTokenAndRefusal(TokenSource source)
    {
        var accepted = BearerToken.FromToken("abc", source);
        var refused = BearerToken.FromToken("a b", source);

        Assert.Multiple(() =>
        {
            Assert.That(accepted.Source, Is.EqualTo(source));
            Assert.That(refused.Source, Is.EqualTo(source));
            Assert.That(refused.ChallengeError, Is.EqualTo("invalid_token"));
        });
    }

    [Test]
    public void None_PresentsNothing()
    {
        var none = PresentedToken.None;

        Assert.Multiple(() =>
        {
            Assert.That(none.HasToken, Is.False);
            Assert.That(none.WasPresented, Is.False);
            Assert.That(none.Problem, Is.EqualTo("No authorization header"));
            Assert.That(none.ToError().ChallengeError, Is.Null);
        });
    }

    [Test]
    public void Hash_IsTheTokensSha256AndComputedOncePerInstance()
    {
        var token = BearerToken.FromToken("abc");

        var first = token.Hash;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var again = token.Hash;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(TokenHash.Compute("abc")));
            Assert.That(again, Is.EqualTo(first));
            Assert.That(allocated, Is.Zero);
        });
    }

    [Test]
    public void Hash_ReadByManyThreadsAtOnce_IsAlwaysTheSame()
    {
        var expected = TokenHash.Compute(new string('t', 4000));
        for (var round = 0; round < 20; round++)
        {
            var token = BearerToken.FromToken(new string('t', 4000));
            var hashes = new TokenHash[8];
            Parallel.For(0, hashes.Length, i => hashes[i] = token.Hash);
            Assert.That(hashes, Is.All.EqualTo(expected));
        }
    }

    [Test]
    public void ToError_BearerRefusal_HasNoExplicitSchemeSoTheChallengeStaysBearer()
    {
        var error = BearerToken.FromAuthorizationHeader("Bearer  abc").ToError();

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(401));
            Assert.That(error.ChallengeError, Is.EqualTo("invalid_request"));
            Assert.That(error.ChallengeScheme, Is.Null);
        });
    }

    [Test]
    public void ToError_AnotherScheme_NamesThatSchemeForTheChallenge()
    {
        var token = new PresentedToken("DPoP", null, "No DPoP proof", TokenSource.AuthorizationHeader, wasPresented: true, TokenGrammar.InvalidRequest);

        Assert.That(token.ToError().ChallengeScheme, Is.EqualTo("DPoP"));
    }

    [Test]
    public void ToString_WithToken_NeverShowsTheToken()
    {
        var token = BearerToken.FromToken("secret-token-value");

        Assert.That(token.ToString(), Does.Not.Contain("secret").And.Contains("18 characters"));
    }

    [TestCase("")]
    [TestCase("Bearer scheme")]
    [TestCase("Bé")]
    [TestCase("a\"b")]
    public void ChallengeScheme_NotAnHttpToken_IsRefused(string scheme) =>
        Assert.Throws<ArgumentException>(() => _ = new FlaatError(401, "Unauthenticated", "x") { ChallengeScheme = scheme });
}
