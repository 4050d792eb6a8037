using Flaat.Engine;
using Flaat.Requirements;
using Flaat.Testing;

namespace Flaat.Tests.Core.Engine;

/// <summary>
/// The engine's configured audience check (<c>Flaat:Audiences</c>) understands the WLCG Common JWT
/// Profile's "any" audience ("Common claims", <c>aud</c>): such a token is for every API.
/// </summary>
public sealed class WlcgAnyAudienceTests
{
    private FakeOpenIdProvider _op = null!;

    [OneTimeSetUp]
    public void StartOp() => _op = FakeOpenIdProvider.Start();

    [OneTimeTearDown]
    public void StopOp() => _op.Dispose();

    [TestCase(Wlcg.AnyAudience, true)]
    [TestCase("https://wlcg.cern.ch/jwt/v1/any/", false)]
    [TestCase("https://other.example", false)]
    public async Task AuthenticateAsync_AudienceConfigured_AnyAudienceAccepted(string audience, bool accepted)
    {
        var options = EngineTestKit.OptionsFor(_op);
        options.TokenClaimsSuffice = true;
        options.Audiences.Add("https://api.example");
        using var engine = new FlaatAuthenticator(options);
        var token = _op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { Audiences = { audience }, HeaderParameters = { ["typ"] = "at+jwt" } });

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.Description, accepted ? Is.Null : Is.EqualTo("Token is not for this API's audience"));
    }
}
