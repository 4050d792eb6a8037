using Flaat.Engine;

namespace Flaat.Tests.EndToEnd;

/// <summary>
/// Flaat's engine against a real OP (oidc-provider): tokens from a real authorization-code flow,
/// verified against the OP's real JWKS (encryption key first), userinfo and introspection.
/// </summary>
[Category("EndToEnd")]
public sealed class FlaatAuthenticatorEndToEndTests
{
    private const string AdminEntitlement = "urn:geant:example.org:group:admins#aai.example.org";
    private const string UsersEntitlement = "urn:geant:example.org:group:users#aai.example.org";

    [TestCase(OidcProviderFixture.Alice, new[] { "admins", "users" }, AdminEntitlement)]
    [TestCase(OidcProviderFixture.Bob, new[] { "users" }, UsersEntitlement)]
    public async Task AuthenticateAsync_OpaqueToken_AcceptedWithUserinfoAndIntrospection(string user, string[] groups, string entitlement)
    {
        // Two trusted OPs: the opaque token's issuer is found by probing both.
        var op = await OidcProviders.TrustedAsync();
        var other = await OidcProviders.ShortLivedAsync();
        using var engine = Engine(op, options => options.TrustedIssuers.Add(other.Issuer));
        var token = await op.Client.GetOpaqueTokenAsync(user);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error, Is.Null);
        var infos = result.UserInfos!;
        Assert.Multiple(() =>
        {
            Assert.That(infos.AccessTokenInfo, Is.Null);
            Assert.That(infos.Issuer, Is.EqualTo(op.Issuer));
            Assert.That(infos.Subject, Is.EqualTo(user));
            Assert.That(infos.GetString("email"), Is.EqualTo($"{user}@example.org"));
            Assert.That(infos.GetStrings("groups"), Is.EqualTo(groups));
            Assert.That(infos.GetStrings("eduperson_entitlement"), Does.Contain(entitlement));
            Assert.That(infos.IntrospectionInfo, Is.Not.Null);
            Assert.That(infos.IntrospectionInfo!["active"].GetBoolean(), Is.True);
            Assert.That(infos.IntrospectionInfo["client_id"].GetString(), Is.EqualTo(OidcProviderFixture.AppClientId));
            Assert.That(infos.TimeLeft(TimeProvider.System.GetUtcNow()), Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(op.AccessTokenLifetime));
        });
    }

    [Test]
    public async Task AuthenticateAsync_OpaqueTokenWithIssuerHint_Accepted()
    {
        var op = await OidcProviders.TrustedAsync();
        using var engine = Engine(await OidcProviders.TrustedAsync(), options => options.Probing.Enabled = false);
        var token = await op.Client.GetOpaqueTokenAsync(OidcProviderFixture.Bob);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token, IssuerHint: op.Issuer + "/"));

        Assert.That(result.UserInfos?.ToString(), Is.EqualTo($"bob@{op.Issuer}"), result.Error?.ToString());
    }

    [TestCase(OidcProviderFixture.JwtResource, "RS256", "sig-rs256")]
    [TestCase(OidcProviderFixture.Es256Resource, "ES256", "sig-es256")]
    [TestCase(OidcProviderFixture.EdDsaResource, "EdDSA", "sig-eddsa")]
    public async Task AuthenticateAsync_JwtInOfflineMode_VerifiedAgainstRealJwksAndAccepted(string resource, string alg, string kid)
    {
        var op = await OidcProviders.TrustedAsync();
        using var engine = Engine(await OidcProviders.TrustedAsync(), options => options.TokenClaimsSuffice = true);
        var token = await op.Client.GetJwtAsync(OidcProviderFixture.Alice, resource);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error, Is.Null);
        var infos = result.UserInfos!;
        Assert.Multiple(() =>
        {
            Assert.That(result.IsTokenOnly, Is.True);
            Assert.That(infos.AccessTokenInfo!.VerificationAlgorithm, Is.EqualTo(alg));
            Assert.That(infos.AccessTokenInfo.Header["kid"].GetString(), Is.EqualTo(kid));
            Assert.That(infos.Issuer, Is.EqualTo(op.Issuer));
            Assert.That(infos.Subject, Is.EqualTo(OidcProviderFixture.Alice));
            Assert.That(infos.GetStrings("aud"), Is.EqualTo(new[] { resource }));
            Assert.That(infos.GetStrings("groups"), Is.EqualTo(new[] { "admins", "users" }));
            Assert.That(infos.GetStrings("eduperson_entitlement"), Does.Contain(AdminEntitlement));
            Assert.That(infos.IntrospectionInfo, Is.Null);
        });
    }

    [Test]
    public async Task AuthenticateAsync_JwtInOfflineModeAfterUserinfoRefused_StillAccepted()
    {
        // oidc-provider refuses userinfo for JWTs with an API audience. That refusal answers the
        // userinfo-required request, and must not poison the token-only answer cached for the token.
        var op = await OidcProviders.TrustedAsync();
        using var engine = Engine(op, options => options.TokenClaimsSuffice = true);
        var token = await op.Client.GetJwtAsync(OidcProviderFixture.Bob);

        var first = await engine.AuthenticateAsync(new AuthenticationRequest(token));
        var withUserInfo = await engine.AuthenticateAsync(new AuthenticationRequest(token, RequireUserInfo: true));
        var again = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(first.Succeeded, Is.True, first.Error?.ToString());
            Assert.That(withUserInfo.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(again.Succeeded, Is.True, again.Error?.ToString());
            Assert.That(again.IsTokenOnly, Is.True);
        });
    }

    [Test]
    public async Task AuthenticateAsync_ExpiredOpaqueToken_Rejected()
    {
        var expired = await OidcProviders.ExpiredTokensAsync();
        using var engine = Engine(expired.Op);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(expired.Opaque));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401), result.Error?.ToString());
    }

    [Test]
    public async Task AuthenticateAsync_ExpiredJwt_RejectedAsExpired()
    {
        var expired = await OidcProviders.ExpiredTokensAsync();
        using var engine = Engine(expired.Op, options =>
        {
            options.TokenClaimsSuffice = true;
            options.ClockSkew = TimeSpan.Zero;
        });

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(expired.Jwt));

        Assert.Multiple(() =>
        {
            Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(result.Error?.Description, Does.Contain("expired"));
        });
    }

    [Test]
    public async Task AuthenticateAsync_JwtFromUntrustedOp_RejectedNamingTheIssuer()
    {
        var untrusted = await OidcProviders.UntrustedAsync();
        using var engine = Engine(await OidcProviders.TrustedAsync(), options => options.TokenClaimsSuffice = true);
        var token = await untrusted.Client.GetJwtAsync(OidcProviderFixture.Alice);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(result.Error?.Description, Does.Contain("not trusted").And.Contain(untrusted.Issuer));
        });
    }

    [Test]
    public async Task AuthenticateAsync_OpaqueTokenFromUntrustedOp_Rejected()
    {
        var untrusted = await OidcProviders.UntrustedAsync();
        using var engine = Engine(await OidcProviders.TrustedAsync());
        var token = await untrusted.Client.GetOpaqueTokenAsync(OidcProviderFixture.Alice);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401), result.Error?.ToString());
    }

    [Test]
    public async Task AuthenticateAsync_JwtFromImpostorClaimingTheTrustedIssuer_SignatureRejected()
    {
        // Same iss, same kid, other keys: only the signature tells them apart.
        var impostor = await OidcProviders.ImpostorAsync();
        using var engine = Engine(await OidcProviders.TrustedAsync(), options => options.TokenClaimsSuffice = true);
        var token = await impostor.Client.GetJwtAsync(OidcProviderFixture.Alice);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(OidcProviderTests.JwtPart(token, 1).GetProperty("iss").GetString(), Is.EqualTo(impostor.Issuer));
            Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(result.Error?.Description, Does.Contain("Signature"));
        });
    }

    private static FlaatAuthenticator Engine(OidcProviderFixture trusted, Action<FlaatOptions>? configure = null)
    {
        var options = OidcProviders.FlaatOptionsFor(trusted);
        configure?.Invoke(options);
        return new FlaatAuthenticator(options);
    }
}
