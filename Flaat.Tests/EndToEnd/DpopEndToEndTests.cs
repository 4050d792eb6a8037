using Flaat.Engine;
using Flaat.Evaluation;
using Flaat.Requirements;
using Flaat.Testing;

namespace Flaat.Tests.EndToEnd;

/// <summary>
/// DPoP-bound tokens (RFC 9449) from the real oidc-provider, through the real code flow with a
/// proof at its token endpoint: JWT and opaque tokens pass with a fresh proof and the user's
/// groups; a replayed proof, a proof of another key and the token sent as Bearer are refused.
/// </summary>
[Category("EndToEnd")]
public sealed class DpopEndToEndTests
{
    private const string Url = "https://api.example.org/items";
    private static readonly FlaatPolicy Admins = new() { UserRequirement = Require.Claim("admins", "groups") };
    private static readonly FlaatPolicy Alice = new() { UserRequirement = Require.Claim(OidcProviderFixture.Alice, "sub") };

    [TestCase(true)]
    [TestCase(false)]
    public async Task EvaluateAsync_BoundTokenFromTheOp_FreshProofPassesEverythingElseIsRefused(bool jwt)
    {
        var op = await OidcProviders.TrustedAsync();
        using var key = FakeDpopKey.Create();
        using var other = FakeDpopKey.Create();
        var tokens = await op.Client.GetTokensAsync(OidcProviderFixture.Alice, jwt ? OidcProviderFixture.JwtResource : null, dpopKey: key);
        var token = tokens.AccessToken;
        var options = OidcProviders.FlaatOptionsFor(op);
        options.Issuer = op.Issuer;                 // pinned here; the adapter end-to-end tests find it among two OPs by introspection
        options.TokenClaimsSuffice = jwt;          // oidc-provider's JWTs for an API carry the user's claims
        using var engine = new FlaatAuthenticator(options);
        var evaluator = new FlaatEvaluator(engine, binders: [new DpopTokenBinder(options)]);

        // Userinfo refuses a bound token, so an opaque token's user is what introspection says, and
        // oidc-provider's introspection has no groups: the opaque case checks the subject.
        var policy = jwt ? Admins : Alice;
        PresentedToken Dpop(string proof) => DpopToken.FromAuthorizationHeader("DPoP " + token, [proof], "GET", Url);
        var proof = key.CreateProof("GET", Url, token);
        var allowed = await evaluator.EvaluateAsync(Dpop(proof), policy);
        var again = await evaluator.EvaluateAsync(Dpop(key.CreateProof("GET", Url, token)), policy);
        var replayed = await evaluator.EvaluateAsync(Dpop(proof), policy);
        var otherKey = await evaluator.EvaluateAsync(Dpop(other.CreateProof("GET", Url, token)), policy);
        var asBearer = await evaluator.EvaluateAsync(BearerToken.FromToken(token), policy);

        Assert.Multiple(() =>
        {
            Assert.That(tokens.TokenType, Is.EqualTo("DPoP"), "the OP bound the token");
            Assert.That(allowed.IsAllowed, Is.True, allowed.Error?.ToString());
            Assert.That(allowed.UserInfos?.Subject, Is.EqualTo(OidcProviderFixture.Alice));
            Assert.That(again.IsAllowed, Is.True, again.Error?.ToString());
            Assert.That(replayed.Error?.ChallengeError, Is.EqualTo("invalid_dpop_proof"));
            Assert.That(otherKey.Error?.ChallengeError, Is.EqualTo("invalid_token"));
            Assert.That(asBearer.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(asBearer.Error?.Challenges, Has.Some.StartsWith("DPoP error=\"invalid_token\""));
        });
    }
}
