using Flaat.Engine;
using Flaat.Evaluation;
using Flaat.Requirements;

namespace Flaat.Tests.EndToEnd;

/// <summary>
/// Authentication and authorisation together (the path every adapter takes) against a real OP:
/// group, entitlement and claim requirements let Alice in and keep Bob out.
/// </summary>
[Category("EndToEnd")]
public sealed class FlaatEvaluatorEndToEndTests
{
    private static readonly Dictionary<string, Requirement> Requirements = new()
    {
        ["group"] = Require.Claim("admins", "groups"),
        ["entitlement"] = Require.Vo("urn:geant:example.org:group:admins#aai.example.org"),
        ["claim"] = Require.Claim("alice@example.org", "email"),
    };

    [TestCase("group", OidcProviderFixture.Alice, 200)]
    [TestCase("group", OidcProviderFixture.Bob, 403)]
    [TestCase("entitlement", OidcProviderFixture.Alice, 200)]
    [TestCase("entitlement", OidcProviderFixture.Bob, 403)]
    [TestCase("claim", OidcProviderFixture.Alice, 200)]
    [TestCase("claim", OidcProviderFixture.Bob, 403)]
    public async Task EvaluateAsync_OpaqueTokenAndRequirement_AllowsAliceRefusesBob(string requirement, string user, int expected)
    {
        var op = await OidcProviders.TrustedAsync();
        using var engine = Engine(op, tokenClaimsSuffice: false);
        var evaluator = new FlaatEvaluator(engine);
        var token = await op.Client.GetOpaqueTokenAsync(user);

        var outcome = await evaluator.EvaluateAsync(BearerToken.FromToken(token), new FlaatPolicy { UserRequirement = Requirements[requirement] });

        Assert.Multiple(() =>
        {
            Assert.That(outcome.IsAllowed ? 200 : outcome.Error!.StatusCode, Is.EqualTo(expected), outcome.Error?.ToString());
            Assert.That(outcome.UserInfos?.Subject, Is.EqualTo(user));
        });
    }

    [TestCase("group", OidcProviderFixture.Alice, 200)]
    [TestCase("group", OidcProviderFixture.Bob, 403)]
    [TestCase("entitlement", OidcProviderFixture.Alice, 200)]
    [TestCase("entitlement", OidcProviderFixture.Bob, 403)]
    public async Task EvaluateAsync_JwtInOfflineModeAndRequirement_AllowsAliceRefusesBob(string requirement, string user, int expected)
    {
        var op = await OidcProviders.TrustedAsync();
        using var engine = Engine(op, tokenClaimsSuffice: true);
        var evaluator = new FlaatEvaluator(engine);
        var token = await op.Client.GetJwtAsync(user);

        var outcome = await evaluator.EvaluateAsync(BearerToken.FromToken(token), new FlaatPolicy { UserRequirement = Requirements[requirement] });

        Assert.Multiple(() =>
        {
            Assert.That(outcome.IsAllowed ? 200 : outcome.Error!.StatusCode, Is.EqualTo(expected), outcome.Error?.ToString());
            Assert.That(outcome.UserInfos?.Subject, Is.EqualTo(user));
        });
    }

    private static FlaatAuthenticator Engine(OidcProviderFixture op, bool tokenClaimsSuffice)
    {
        var options = OidcProviders.FlaatOptionsFor(op);
        options.TokenClaimsSuffice = tokenClaimsSuffice;
        return new FlaatAuthenticator(options);
    }
}
