using Flaat.Engine;
using Flaat.Testing;
using Flaat.Tokens;

namespace Flaat.Tests.Core.Tokens;

/// <summary>
/// The engine and <see cref="FlaatJwksClient"/> validate a JWT through one code path
/// (<see cref="JwtValidator"/>): the same token gets the same refusal from both.
/// </summary>
public sealed class JwtValidatorTests
{
    private FakeOpenIdProvider _op = null!;

    [SetUp]
    public void StartOp() => _op = FakeOpenIdProvider.Start();

    [TearDown]
    public void StopOp() => _op.Dispose();

    private (FlaatAuthenticator Engine, FlaatJwksClient Client) Both(Action<FlaatOptions>? configure = null)
    {
        var options = EngineTestKit.OptionsFor(_op);
        options.TokenClaimsSuffice = true;
        configure?.Invoke(options);
        return (new FlaatAuthenticator(options), new FlaatJwksClient(new Uri(_op.JwksUri), options));
    }

    private async Task<(string? Engine, string? Client)> RefusalsAsync(string token, Action<FlaatOptions>? configure = null)
    {
        var (engine, client) = Both(configure);
        using (engine)
        using (client)
        {
            var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));
            var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => client.VerifyAsync(token));
            Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
            return (result.Error?.Description, thrown?.Message);
        }
    }

    [Test]
    public async Task EngineAndJwksClient_KidlessTokenBeyondMaxSignatureAttempts_SameRefusal()
    {
        var keys = Enumerable.Range(0, 3).Select(_ => TestKey.Create("ES256")).ToArray();
        EngineTestKit.ServeJwks(_op, keys.Select(k => k.Jwk).ToArray());
        var token = keys[0].CreateToken(EngineTestKit.Payload(_op.Issuer), includeKeyId: false);

        var (engine, client) = await RefusalsAsync(token, o => o.Keys.MaxSignatureAttempts = 2);

        Assert.That(engine, Is.EqualTo("Token names no key (kid) and too many keys fit: 3, more than 2"));
        Assert.That(client, Is.EqualTo(engine));
    }

    [Test]
    public async Task EngineAndJwksClient_ExpiredToken_SameRefusalBeforeAnyKeyIsFetched()
    {
        var key = TestKey.Create("ES256");
        EngineTestKit.ServeJwks(_op, key.Jwk);
        var token = key.CreateToken(EngineTestKit.Payload(_op.Issuer, now: DateTimeOffset.UtcNow.AddHours(-3)));

        var (engine, client) = await RefusalsAsync(token);

        Assert.That(engine, Is.EqualTo("Token has expired"));
        Assert.That(client, Is.EqualTo(engine));
        Assert.That(_op.RequestCount(FakeOpenIdEndpoint.Jwks), Is.Zero);
    }

    [Test]
    public async Task EngineAndJwksClient_SignatureOfAnotherKey_SameRefusal()
    {
        var served = TestKey.Create("ES256", kid: "k1");
        var other = TestKey.Create("ES256", kid: "k1");
        EngineTestKit.ServeJwks(_op, served.Jwk);
        var token = other.CreateToken(EngineTestKit.Payload(_op.Issuer));

        var (engine, client) = await RefusalsAsync(token);

        Assert.That(engine, Is.EqualTo("Signature verification failed"));
        Assert.That(client, Is.EqualTo(engine));
    }
}
