using Flaat.Engine;
using Flaat.Requirements;
using Flaat.Testing;

namespace Flaat.Tests.Core.Engine;

/// <summary>
/// The engine's configured audience check (<c>Flaat:Audiences</c>) and the WLCG Common JWT Profile's
/// "any" audience ("Common claims", <c>aud</c>): accepted only for an issuer that opted in
/// (<c>Flaat:Issuers:N:AcceptWlcgAnyAudience</c>) and only in a token claiming a known <c>wlcg.ver</c>.
/// </summary>
public sealed class WlcgAnyAudienceTests
{
    private FakeOpenIdProvider _op = null!;

    [OneTimeSetUp]
    public void StartOp() => _op = FakeOpenIdProvider.Start();

    [OneTimeTearDown]
    public void StopOp() => _op.Dispose();

    [TestCase(Wlcg.AnyAudience, true, "1.0", true)]
    [TestCase(Wlcg.AnyAudience, true, "1.1", true)]
    [TestCase(Wlcg.AnyAudience, false, "1.0", false)]
    [TestCase(Wlcg.AnyAudience, true, null, false)]
    [TestCase(Wlcg.AnyAudience, true, "2.0", false)]
    [TestCase("https://wlcg.cern.ch/jwt/v1/any/", true, "1.0", false)]
    [TestCase("https://other.example", true, "1.0", false)]
    public async Task AuthenticateAsync_AudienceConfigured_AnyAudienceOnlyWhenIssuerOptsIn(string audience, bool optIn, string? wlcgVer, bool accepted)
    {
        var options = EngineTestKit.OptionsFor(_op);
        options.TokenClaimsSuffice = true;
        options.Audiences.Add("https://api.example");
        options.Issuers.Add(new IssuerOptions { Issuer = _op.Issuer, AcceptWlcgAnyAudience = optIn });
        using var engine = new FlaatAuthenticator(options);
        var tokenOptions = new FakeTokenOptions { Audiences = { audience }, HeaderParameters = { ["typ"] = "at+jwt" } };
        if (wlcgVer is not null)
        {
            tokenOptions.Claims["wlcg.ver"] = wlcgVer;
        }

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(_op.CreateJwt(new FakeUser("alice"), tokenOptions)));

        Assert.That(result.Error?.Description, accepted ? Is.Null : Is.EqualTo("Token is not for this API's audience"));
    }
}
