using Flaat.Engine;
using Flaat.Testing;

namespace Flaat.Tests.Core.Engine;

/// <summary>
/// Offline mode accepts only access tokens (RFC 9068 typ, no ID token claims), and a configured
/// audience is required of every JWT, whether or not the OP is asked.
/// </summary>
public sealed class AccessTokenPolicyTests
{
    private static readonly FakeUser Alice = new("alice");
    private FakeOpenIdProvider _op = null!;

    [OneTimeSetUp]
    public void StartOp() => _op = FakeOpenIdProvider.Start();

    [OneTimeTearDown]
    public void StopOp() => _op.Dispose();

    [Test]
    public async Task AuthenticateAsync_OfflineRfc9068Token_Accepted()
    {
        using var engine = Engine(offline: true);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(_op.CreateJwt(Alice)));

        Assert.That(result.Error, Is.Null);
        Assert.That(result.IsTokenOnly, Is.True);
        Assert.That(result.UserInfos!.ToString(), Is.EqualTo($"alice@{_op.Issuer}"));
    }

    [TestCase("application/at+jwt")]
    [TestCase("AT+JWT")]
    [TestCase("Application/At+Jwt")]
    public async Task AuthenticateAsync_OfflineAccessTokenTypeSpelledOtherwise_Accepted(string typ)
    {
        using var engine = Engine(offline: true);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Token(typ: typ)));

        Assert.That(result.Error, Is.Null);
    }

    [TestCase("JWT")]
    [TestCase("application/jwt")]
    [TestCase("at+jwt; charset=utf-8")]
    [TestCase("secevent+jwt")]
    public async Task AuthenticateAsync_OfflineTokenOfAnotherType_401(string typ)
    {
        using var engine = Engine(offline: true);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Token(typ: typ)));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Does.StartWith($"Token type '{typ}' is not accepted as an access token; expected application/at+jwt"));
    }

    [Test]
    public async Task AuthenticateAsync_OfflineTokenWithoutTyp_401()
    {
        using var engine = Engine(offline: true);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Token(typ: null)));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Does.StartWith("Token has no typ"));
    }

    [Test]
    public async Task AuthenticateAsync_OnlineTokenWithTypJwt_StillAskedAtUserInfoAndAccepted()
    {
        using var engine = Engine(offline: false);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Token(typ: "JWT")));

        Assert.That(result.Error, Is.Null);
    }

    [Test]
    public async Task AuthenticateAsync_OfflineIssuerConfiguredForTypJwt_Accepted()
    {
        using var engine = Engine(offline: true, configure: options =>
            options.Issuers.Add(new IssuerOptions { Issuer = _op.Issuer, AccessTokenTypes = { "JWT" } }));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Token(typ: "JWT")));

        Assert.That(result.Error, Is.Null);
    }

    [TestCase("nonce")]
    [TestCase("at_hash")]
    [TestCase("c_hash")]
    [TestCase("s_hash")]
    public async Task AuthenticateAsync_OfflineIdTokenEvenWithAcceptedTyp_401(string claim)
    {
        using var engine = Engine(offline: true, configure: options =>
            options.Issuers.Add(new IssuerOptions { Issuer = _op.Issuer, AccessTokenTypes = { "JWT" } }));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Token(typ: "JWT", extraClaim: claim)));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo($"Token is an ID token (it has {claim}), not an access token"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task AuthenticateAsync_TokenForAnotherAudience_401InBothModes(bool offline)
    {
        using var engine = Engine(offline, options => options.Audiences.Add("https://api.example"));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Token(audiences: ["https://other.example"])));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo("Token is not for this API's audience"));
    }

    [Test]
    public async Task AuthenticateAsync_TokenWithoutAudienceWhenOneIsConfigured_401WithoutAskingTheOp()
    {
        using var engine = Engine(offline: false, options => options.Audiences.Add("https://api.example"));
        var token = Token();
        _op.ResetRequestCounts();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.Description, Is.EqualTo("Token is not for this API's audience"));
        Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task AuthenticateAsync_OneOfTheTokensAudiencesIsOurs_Accepted(bool offline)
    {
        using var engine = Engine(offline, options => options.Audiences.Add("https://api.example"));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Token(audiences: ["https://other.example", "https://api.example"])));

        Assert.That(result.Error, Is.Null);
    }

    [Test]
    public async Task AuthenticateAsync_IssuerAudiencesOverrideGlobalOnes_OnlyTheIssuersCount()
    {
        using var engine = Engine(offline: true, options =>
        {
            options.Audiences.Add("https://api.example");
            options.Issuers.Add(new IssuerOptions { Issuer = _op.Issuer, Audiences = { "api-at-this-op" } });
        });

        var global = await engine.AuthenticateAsync(new AuthenticationRequest(Token(audiences: ["https://api.example"])));
        var own = await engine.AuthenticateAsync(new AuthenticationRequest(Token(audiences: ["api-at-this-op"])));

        Assert.That(global.Error?.Description, Is.EqualTo("Token is not for this API's audience"));
        Assert.That(own.Error, Is.Null);
    }

    [Test]
    public async Task AuthenticateAsync_IssuerWithoutAudienceSupport_GlobalAudiencesNotChecked()
    {
        using var engine = Engine(offline: true, options =>
        {
            options.Audiences.Add("https://api.example");
            options.Issuers.Add(new IssuerOptions { Issuer = _op.Issuer, SupportsAudience = false });
        });

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Token()));

        Assert.That(result.Error, Is.Null);
    }

    private string Token(string? typ = "at+jwt", string? extraClaim = null, string[]? audiences = null)
    {
        var options = new FakeTokenOptions { HeaderParameters = { ["typ"] = typ } };
        if (extraClaim is not null)
        {
            options.Claims[extraClaim] = "x";
        }

        foreach (var audience in audiences ?? [])
        {
            options.Audiences.Add(audience);
        }

        return _op.CreateJwt(Alice, options);
    }

    private FlaatAuthenticator Engine(bool offline, Action<FlaatOptions>? configure = null)
    {
        var options = EngineTestKit.OptionsFor(_op);
        options.TokenClaimsSuffice = offline;
        configure?.Invoke(options);
        if (options.Issuers.Count > 0)
        {
            options.TrustedIssuers.Clear();
        }

        return new FlaatAuthenticator(options);
    }
}
