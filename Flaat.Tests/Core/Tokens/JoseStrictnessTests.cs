using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Flaat.Engine;
using Flaat.Evaluation;
using Flaat.Testing;
using Flaat.Tokens;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.Core.Tokens;

/// <summary>
/// JOSE strictness through the public entry points (engine, evaluator, JWKS client), against the fake
/// OP: whatever a client sends gives a 401 or an opaque-token answer, never an exception or a 500.
/// </summary>
public sealed class JoseStrictnessTests
{
    private FakeOpenIdProvider _op = null!;

    [SetUp]
    public void StartOp() => _op = FakeOpenIdProvider.Start();

    [TearDown]
    public void StopOp() => _op.Dispose();

    private FlaatAuthenticator OfflineEngine(Action<FlaatOptions>? configure = null, ILoggerFactory? loggerFactory = null)
    {
        var options = EngineTestKit.OptionsFor(_op);
        options.TokenClaimsSuffice = true;
        configure?.Invoke(options);
        return new FlaatAuthenticator(options, loggerFactory: loggerFactory);
    }

    private int OpRequests() =>
        _op.RequestCount(FakeOpenIdEndpoint.UserInfo) + _op.RequestCount(FakeOpenIdEndpoint.Jwks) + _op.RequestCount(FakeOpenIdEndpoint.Discovery);

    // Inside the RFC 6750 b64token grammar but outside base64url: decoded as opaque, so the OP is asked.
    [TestCase("a+.b.c")]
    [TestCase("~")]
    [TestCase("~.~.~")]
    public void GetUserInfosAsync_TokenOutsideBase64Url_401NotAnException(string token)
    {
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op));

        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => engine.GetUserInfosAsync(token));

        Assert.That(thrown!.Message, Is.EqualTo("No trusted OP accepted the token"), "an opaque token: the OP was asked");
    }

    // Outside the b64token grammar too: refused before decoding, and no OP is asked.
    [TestCase("x.y!.z")]
    [TestCase("ab=.cd.ef")]
    public void GetUserInfosAsync_TokenOutsideB64Token_401WithoutOpCall(string token)
    {
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op));

        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => engine.GetUserInfosAsync(token));

        Assert.That(thrown!.Message, Does.StartWith("The access token is not an RFC 6750 b64token"));
        Assert.That(OpRequests(), Is.Zero);
    }

    [Test]
    public async Task EvaluateAsync_TokenOutsideBase64Url_401()
    {
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op));

        var outcome = await new FlaatEvaluator(engine).EvaluateAsync(BearerToken.FromToken("a+.b.c"), new FlaatPolicy());

        Assert.That(outcome.Error?.StatusCode, Is.EqualTo(401));
    }

    [Test]
    public async Task AuthenticateAsync_PayloadWithNonZeroUnusedBits_MalformedWithoutAnyOpCall()
    {
        using var engine = OfflineEngine();
        var parts = _op.CreateJwt(new FakeUser("bob")).Split('.');
        var payload = parts[1].Length % 4 == 0 ? parts[1] + "!" : DecodedJwtTests.FlipUnusedBit(parts[1]);
        var signature = parts[2].Length % 4 == 0 ? parts[2] + "=" : DecodedJwtTests.FlipUnusedBit(parts[2]);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(parts[0] + "." + payload + "." + parts[2]));
        var respelled = await engine.AuthenticateAsync(new AuthenticationRequest(parts[0] + "." + parts[1] + "." + signature));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo("malformed JWT: the payload is not canonical base64url"));
        Assert.That(respelled.Error?.Description, Is.EqualTo("malformed JWT: the signature is not canonical base64url"));
        Assert.That(OpRequests(), Is.Zero);
    }

    [TestCase("=", "malformed JWT: the signature is not canonical base64url")]
    [TestCase(" ", "The access token is not an RFC 6750 b64token")]
    [TestCase("\n", "The access token is not an RFC 6750 b64token")]
    public async Task AuthenticateAsync_SignatureRespelled_RefusedWhileTheOriginalIsAccepted(string extra, string reason)
    {
        using var engine = OfflineEngine();
        var token = _op.CreateJwt(new FakeUser("bob"), new FakeTokenOptions { Algorithm = FakeSigningKey.ES256 });

        var original = await engine.AuthenticateAsync(new AuthenticationRequest(token));
        var respelled = await engine.AuthenticateAsync(new AuthenticationRequest(token + extra));

        Assert.That(original.Error, Is.Null);
        Assert.That(respelled.Error?.Description, Does.StartWith(reason));
    }

    [TestCase("""{"alg":"ES256","\ud800":0}""")]
    [TestCase("""{"\udc00":0}""")]
    public async Task EvaluateAsync_HeaderWithAPropertyNameThatIsNoText_401NotAnException(string header)
    {
        // The member lookup that tells a JWT from an opaque token has to read every name.
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op));
        var token = Base64UrlPart(header) + ".e30.c2ln";

        var outcome = await new FlaatEvaluator(engine).EvaluateAsync(BearerToken.FromToken(token), new FlaatPolicy());

        Assert.That(outcome.Error?.StatusCode, Is.EqualTo(401));
    }

    [Test]
    public async Task AuthenticateAsync_AccessTokenWithoutExpInOfflineMode_Refused()
    {
        var key = TestKey.Create("ES256");
        EngineTestKit.ServeJwks(_op, key.Jwk);
        using var engine = OfflineEngine();
        var payload = EngineTestKit.Payload(_op.Issuer);
        payload.Remove("exp");
        var token = EngineTestKit.Sign(new JsonObject { ["alg"] = "ES256", ["kid"] = key.KeyId, ["typ"] = "at+jwt" }, payload, key.Sign);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.Description, Is.EqualTo("Token has no exp; an access token whose claims suffice must expire"));
    }

    [Test]
    public async Task AuthenticateAsync_WrongIssuerHint_RejectionNotServedToRequestsWithoutHint()
    {
        const string other = "https://other.example";
        var key = TestKey.Create("ES256");
        EngineTestKit.ServeJwks(_op, key.Jwk);
        using var engine = OfflineEngine(o => o.TrustedIssuers.Add(other));
        var token = key.CreateToken(EngineTestKit.Payload(_op.Issuer));

        var hinted = await engine.AuthenticateAsync(new AuthenticationRequest(token, IssuerHint: other));
        var plain = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(hinted.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(plain.Error, Is.Null, "the hint's mismatch is no verdict on the token");
    }

    [TestCase("jku")]
    [TestCase("x5u")]
    [TestCase("jwk")]
    public async Task AuthenticateAsync_HeaderNamesItsOwnKey_KeyNeverFetchedOrUsed(string member)
    {
        // The token names a key of the attacker's (by URL, or embedded): only the issuer's JWKS counts.
        using var attacker = WireMock.Server.WireMockServer.Start();
        var trusted = TestKey.Create("ES256", "trusted");
        var own = TestKey.Create("ES256", "trusted");
        EngineTestKit.ServeJwks(_op, trusted.Jwk);
        using var engine = OfflineEngine();
        var header = new JsonObject { ["alg"] = "ES256", ["kid"] = "trusted", ["typ"] = "at+jwt" };
        header[member] = member == "jwk" ? own.Jwk.DeepClone() : attacker.Url + "/keys";
        var token = EngineTestKit.Sign(header, EngineTestKit.Payload(_op.Issuer), own.Sign);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.Description, Is.EqualTo("Signature verification failed"));
        Assert.That(attacker.LogEntries, Is.Empty);
    }

    [TestCase("""["exp"]""")]
    [TestCase("[]")]
    [TestCase("\"b64\"")]
    public async Task AuthenticateAsync_SignedTokenWithCrit_Refused(string crit)
    {
        var key = TestKey.Create("ES256");
        EngineTestKit.ServeJwks(_op, key.Jwk);
        using var engine = OfflineEngine();
        var header = new JsonObject { ["alg"] = "ES256", ["kid"] = key.KeyId, ["crit"] = JsonNode.Parse(crit) };
        var token = EngineTestKit.Sign(header, EngineTestKit.Payload(_op.Issuer), key.Sign);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Does.Contain("crit"));
    }

    [Test]
    public async Task AuthenticateAsync_SignedTokenWithB64False_Refused()
    {
        var key = TestKey.Create("ES256");
        EngineTestKit.ServeJwks(_op, key.Jwk);
        using var engine = OfflineEngine();
        var header = new JsonObject { ["alg"] = "ES256", ["kid"] = key.KeyId, ["b64"] = false, ["crit"] = new JsonArray("b64") };

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(EngineTestKit.Sign(header, EngineTestKit.Payload(_op.Issuer), key.Sign)));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
    }

    [TestCase("exp", "\"4102444800\"")]
    [TestCase("exp", "null")]
    [TestCase("nbf", "null")]
    [TestCase("nbf", "\"0\"")]
    public async Task AuthenticateAsync_SignedTokenWithTimeNotANumber_RefusedInOfflineMode(string claim, string value)
    {
        var key = TestKey.Create("ES256");
        EngineTestKit.ServeJwks(_op, key.Jwk);
        using var engine = OfflineEngine();
        var payload = EngineTestKit.Payload(_op.Issuer);
        payload[claim] = JsonNode.Parse(value);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(key.CreateToken(payload)));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Does.StartWith("malformed JWT: exp or nbf"));
    }

    [Test]
    public async Task AuthenticateAsync_IssWithOneTrailingSlash_AcceptedButTwoRefused()
    {
        var key = TestKey.Create("ES256");
        EngineTestKit.ServeJwks(_op, key.Jwk);
        using var engine = OfflineEngine();
        var bare = _op.Issuer.TrimEnd('/');

        var one = await engine.AuthenticateAsync(new AuthenticationRequest(key.CreateToken(EngineTestKit.Payload(bare + "/"))));
        var two = await engine.AuthenticateAsync(new AuthenticationRequest(key.CreateToken(EngineTestKit.Payload(bare + "//"))));
        var many = await engine.AuthenticateAsync(new AuthenticationRequest(key.CreateToken(EngineTestKit.Payload(bare + "/////"))));

        Assert.That(one.Error, Is.Null);
        Assert.That(two.Error?.Description, Does.StartWith("Issuer is not trusted"));
        Assert.That(many.Error?.Description, Does.StartWith("Issuer is not trusted"));
    }

    [Test]
    public async Task AuthenticateAsync_TokenSignedWith1024BitRsaKey_Refused()
    {
        using var rsa = RSA.Create(1024);
        EngineTestKit.ServeJwks(_op, EngineTestKit.RsaJwk(rsa, "weak"));
        using var engine = OfflineEngine();
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = "weak", ["typ"] = "at+jwt" };
        var token = EngineTestKit.Sign(header, EngineTestKit.Payload(_op.Issuer), data => rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));
        using var lenient = OfflineEngine(o => o.Keys.MinimumRsaKeySize = 1024);
        var accepted = await lenient.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.Description, Is.EqualTo($"No key with id 'weak' found at issuer {_op.Issuer}"));
        Assert.That(accepted.Error, Is.Null, "the limit is configurable");
    }

    [Test]
    public async Task AuthenticateAsync_KeyMarkedEncryptOnly_DoesNotVerify()
    {
        var key = TestKey.Create("RS256");
        key.Jwk["key_ops"] = new JsonArray("encrypt");
        EngineTestKit.ServeJwks(_op, key.Jwk);
        using var engine = OfflineEngine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(key.CreateToken(EngineTestKit.Payload(_op.Issuer))));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
    }

    [Test]
    public async Task AuthenticateAsync_KeyRestrictedToRs384AndRs256Token_Refused()
    {
        var key = TestKey.Create("RS256");
        key.Jwk["alg"] = "RS384";
        EngineTestKit.ServeJwks(_op, key.Jwk);
        using var engine = OfflineEngine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(key.CreateToken(EngineTestKit.Payload(_op.Issuer))));

        Assert.That(result.Error?.Description, Does.Contain("does not fit algorithm RS256"));
    }

    [Test]
    public async Task AuthenticateAsync_KidlessTokenAndFourFittingKeys_RefusedWithoutTryingThem()
    {
        var keys = Enumerable.Range(0, 4).Select(_ => TestKey.Create("ES256")).ToArray();
        EngineTestKit.ServeJwks(_op, keys.Select(k => k.Jwk).ToArray());
        using var engine = OfflineEngine();
        using var generous = OfflineEngine(o => o.Keys.MaxSignatureAttempts = 4);
        var token = keys[3].CreateToken(EngineTestKit.Payload(_op.Issuer), includeKeyId: false);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));
        var accepted = await generous.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Does.StartWith("Token names no key (kid) and too many keys fit"));
        Assert.That(accepted.Error, Is.Null);
    }

    [Test]
    public async Task AuthenticateAsync_JwksOverTheKeyCap_ExcessIgnoredAndLoggedOncePerLoad()
    {
        var keys = Enumerable.Range(0, 3).Select(_ => TestKey.Create("ES256")).ToArray();
        EngineTestKit.ServeJwks(_op, keys.Select(k => k.Jwk).ToArray());
        var sink = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(sink));
        using var engine = OfflineEngine(o => o.Keys.MaxKeysPerSet = 2, factory);

        var kept = await engine.AuthenticateAsync(new AuthenticationRequest(keys[0].CreateToken(EngineTestKit.Payload(_op.Issuer))));
        var ignored = await engine.AuthenticateAsync(new AuthenticationRequest(keys[2].CreateToken(EngineTestKit.Payload(_op.Issuer))));

        Assert.That(kept.Error, Is.Null);
        Assert.That(ignored.Error?.StatusCode, Is.EqualTo(401));
        List<(LogLevel Level, EventId Id, string Message)> entries;
        lock (sink.Entries)
        {
            entries = sink.Entries.Where(e => e.Id.Id == 2116).ToList();
        }

        // Two loads (the first, and the refresh for the unknown kid), one line each.
        Assert.That(entries, Has.Count.EqualTo(_op.RequestCount(FakeOpenIdEndpoint.Jwks)));
        Assert.That(entries[0].Message, Does.Contain("Ignored 1 keys").And.Contain("Flaat:Keys:MaxKeysPerSet"));
    }

    [TestCase("a+.b.c")]
    [TestCase("x.y!.z")]
    public void VerifyAsync_TokenOutsideBase64Url_NotAJwt(string token)
    {
        using var client = new FlaatJwksClient(new Uri(_op.JwksUri));

        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => client.VerifyAsync(token));

        Assert.That(thrown!.Message, Is.EqualTo("Token is not a JWT"));
    }

    [Test]
    public void VerifyAsync_RespelledToken_Malformed()
    {
        using var client = new FlaatJwksClient(new Uri(_op.JwksUri));
        var token = _op.CreateJwt(new FakeUser("bob"), new FakeTokenOptions { Algorithm = FakeSigningKey.ES256 });

        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => client.VerifyAsync(" " + token));

        Assert.That(thrown!.Message, Is.EqualTo("malformed JWT: the header is not canonical base64url"));
    }

    [Test]
    public void VerifyAsync_KidlessTokenAndTooManyFittingKeys_Refused()
    {
        var keys = Enumerable.Range(0, 3).Select(_ => TestKey.Create("ES256")).ToArray();
        EngineTestKit.ServeJwks(_op, keys.Select(k => k.Jwk).ToArray());
        var options = new FlaatOptions { Keys = { MaxSignatureAttempts = 2 } };
        using var client = new FlaatJwksClient(new Uri(_op.JwksUri), options);

        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => client.VerifyAsync(keys[0].CreateToken(EngineTestKit.Payload(_op.Issuer), includeKeyId: false)));

        Assert.That(thrown!.Message, Does.StartWith("Token names no key (kid) and too many keys fit"));
    }

    [Test]
    public async Task VerifyAsync_KidlessTokenWithinTheAttempts_Verified()
    {
        var keys = Enumerable.Range(0, 2).Select(_ => TestKey.Create("ES256")).ToArray();
        EngineTestKit.ServeJwks(_op, keys.Select(k => k.Jwk).ToArray());
        using var client = new FlaatJwksClient(new Uri(_op.JwksUri));

        var info = await client.VerifyAsync(keys[1].CreateToken(EngineTestKit.Payload(_op.Issuer), includeKeyId: false));

        Assert.That(info.VerificationAlgorithm, Is.EqualTo("ES256"));
    }

    private static string Base64UrlPart(string json) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
