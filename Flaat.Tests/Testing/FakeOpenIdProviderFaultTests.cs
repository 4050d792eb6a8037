using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Flaat.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Flaat.Tests.Testing;

public sealed class FakeOpenIdProviderFaultTests
{
    private static readonly FakeUser Bob = new FakeUser("bob").WithClaim("groups", new[] { "users" });
    private FakeOpenIdProvider _op = null!;
    private HttpClient _http = null!;

    [SetUp]
    public void StartProvider()
    {
        // No RS256 here: RSA key generation is the slow part of starting a provider.
        _op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { ClientId = "c", ClientSecret = "s", SigningAlgorithms = ["ES256", "EdDSA"] });
        _http = new HttpClient();
    }

    [TearDown]
    public async Task StopProvider()
    {
        _http.Dispose();
        await _op.DisposeAsync();
    }

    private async Task<HttpStatusCode> StatusAsync(string url)
    {
        using var response = await _http.GetAsync(new Uri(url));
        return response.StatusCode;
    }

    private async Task<HttpStatusCode> UserInfoStatusAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _op.UserInfoEndpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    [Test]
    public async Task SimulateDown_AllEndpoints_Answer503UntilRestore()
    {
        var token = _op.CreateOpaqueToken(Bob);

        _op.SimulateDown();
        var down = new[] { await StatusAsync(_op.DiscoveryEndpoint), await StatusAsync(_op.JwksUri), await UserInfoStatusAsync(token), await StatusAsync(_op.Issuer + "/other") };
        _op.Restore();
        var restored = new[] { await StatusAsync(_op.DiscoveryEndpoint), await StatusAsync(_op.JwksUri), await UserInfoStatusAsync(token) };

        Assert.Multiple(() =>
        {
            Assert.That(down, Is.All.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(restored, Is.All.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task SimulateServerErrors_OneEndpoint_OnlyThatAnswers500()
    {
        _op.SimulateServerErrors(FakeOpenIdEndpoint.Jwks);

        var jwks = await StatusAsync(_op.JwksUri);
        var discovery = await StatusAsync(_op.DiscoveryEndpoint);

        Assert.Multiple(() =>
        {
            Assert.That(jwks, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(discovery, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task SimulateUnreachable_Request_FailsWithHttpRequestExceptionUntilRestore()
    {
        _op.SimulateUnreachable();

        Assert.That(async () => await StatusAsync(_op.DiscoveryEndpoint), Throws.InstanceOf<HttpRequestException>());

        _op.Restore();
        Assert.That(await StatusAsync(_op.DiscoveryEndpoint), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task SimulateSlow_ClientWithShorterTimeout_TimesOut()
    {
        _op.SimulateSlow(TimeSpan.FromSeconds(30), FakeOpenIdEndpoint.UserInfo);
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(200) };

        Assert.That(async () => await impatient.GetAsync(new Uri(_op.UserInfoEndpoint)), Throws.InstanceOf<TaskCanceledException>());
        Assert.That(await StatusAsync(_op.DiscoveryEndpoint), Is.EqualTo(HttpStatusCode.OK), "other endpoints are not slowed");
    }

    [Test]
    public async Task SimulateSlow_ShortDelay_StillAnswersNormally()
    {
        _op.SimulateSlow(TimeSpan.FromMilliseconds(50));

        Assert.That(await StatusAsync(_op.DiscoveryEndpoint), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Dispose_WhileRequestIsDelayed_DoesNotWaitForTheDelay()
    {
        _op.SimulateSlow(TimeSpan.FromMinutes(5));
        var pending = _http.GetAsync(new Uri(_op.DiscoveryEndpoint));
        await Task.Delay(100);

        var disposing = Task.Run(_op.Dispose);
        var finished = await Task.WhenAny(disposing, Task.Delay(TimeSpan.FromSeconds(20)));

        Assert.That(finished, Is.SameAs(disposing), "disposal must not wait for a simulated delay");
        Assert.That(async () => await pending, Throws.InstanceOf<HttpRequestException>().Or.InstanceOf<TaskCanceledException>());
    }

    [Test]
    public async Task RequestCount_EachEndpoint_CountsItsOwnRequestsIncludingFaultedOnes()
    {
        var token = _op.CreateOpaqueToken(Bob);
        await StatusAsync(_op.DiscoveryEndpoint);
        await StatusAsync(_op.JwksUri);
        await StatusAsync(_op.JwksUri);
        await UserInfoStatusAsync(token);
        _op.SimulateDown(FakeOpenIdEndpoint.UserInfo);
        await UserInfoStatusAsync(token);
        using (var introspect = await _http.PostAsync(new Uri(_op.IntrospectionEndpoint!), new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token })))
        {
            Assert.That(introspect.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        Assert.Multiple(() =>
        {
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.Discovery), Is.EqualTo(1));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.Jwks), Is.EqualTo(2));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(2));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.Introspection), Is.EqualTo(1));
        });

        _op.ResetRequestCounts();
        Assert.That(Enum.GetValues<FakeOpenIdEndpoint>().Select(_op.RequestCount), Is.All.Zero);
    }

    [Test]
    public async Task RotateKeys_OldToken_NoLongerVerifiesWithAnyPublishedKey()
    {
        var old = _op.CreateJwt(Bob, new FakeTokenOptions { Algorithm = "ES256" });
        var oldKids = _op.SigningKeys.Select(k => k.KeyId).ToList();

        _op.RotateKeys();
        var keys = (await _http.GetJsonAsync(_op.JwksUri))["keys"]!.AsArray().Select(k => k!.AsObject()).ToList();
        var fresh = _op.CreateJwt(Bob, new FakeTokenOptions { Algorithm = "ES256" });

        var signing = keys.Where(k => (string?)k["use"] == "sig").ToList();
        Assert.Multiple(() =>
        {
            Assert.That((string?)keys[0]["use"], Is.EqualTo("enc"));
            Assert.That(signing.Select(k => (string?)k["kid"]), Has.None.AnyOf(oldKids.ToArray()));
            Assert.That(signing.Select(k => (string?)k["kid"]), Is.EqualTo(_op.SigningKeys.Select(k => k.KeyId)));
            Assert.That(signing.Where(k => (string?)k["kty"] == "EC").Any(k => Jwts.Verifies(old, k)), Is.False);
            Assert.That(signing.Where(k => (string?)k["kty"] == "EC").Any(k => Jwts.Verifies(fresh, k)), Is.True);
        });
    }

    [Test]
    public async Task RotateKeys_KeepPreviousKeys_PublishesNewKeysThenOld()
    {
        var old = _op.CreateJwt(Bob, new FakeTokenOptions { Algorithm = "EdDSA" });
        var oldKid = _op.GetSigningKey("EdDSA").KeyId;

        _op.RotateKeys(keepPreviousKeys: true);
        var kids = (await _http.GetJsonAsync(_op.JwksUri))["keys"]!.AsArray().Select(k => (string?)k!["kid"]).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(kids, Has.Count.EqualTo(5));
            Assert.That(kids.IndexOf(oldKid), Is.GreaterThan(kids.IndexOf(_op.GetSigningKey("EdDSA").KeyId)));
            Assert.That(_op.GetSigningKey("EdDSA").KeyId, Is.Not.EqualTo(oldKid));
            Assert.That((string?)Jwts.Header(old)["kid"], Is.EqualTo(oldKid));
        });
    }

    [Test]
    public async Task Server_MappingWithDefaultPriority_OverridesBuiltInDocumentAndIsStillCounted()
    {
        _op.Server
            .Given(Request.Create().WithPath("/.well-known/openid-configuration").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { issuer = "https://impostor.example", jwks_uri = _op.JwksUri }));

        var doc = await _http.GetJsonAsync(_op.DiscoveryEndpoint);

        Assert.Multiple(() =>
        {
            Assert.That((string?)doc["issuer"], Is.EqualTo("https://impostor.example"));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.Discovery), Is.EqualTo(1));
        });
    }

    [TestCase("ES256")]
    [TestCase("EdDSA")]
    public async Task SigningKey_SignCraftedToken_VerifiesWithThePublishedKey(string alg)
    {
        // How a test crafts a token the OP would never mint, here with an unusual header, signed by the OP's real key.
        var key = _op.GetSigningKey(alg);
        var token = key.SignJws(new JsonObject { ["alg"] = alg, ["kid"] = key.KeyId, ["crit"] = new JsonArray("x") }, new JsonObject { ["iss"] = _op.Issuer, ["sub"] = "x" });

        var published = (await _http.GetJsonAsync(_op.JwksUri))["keys"]!.AsArray().Single(k => (string?)k!["kid"] == key.KeyId)!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(Jwts.Verifies(token, published), Is.True);
            Assert.That(Jwts.Header(token)["crit"]!.AsArray().Select(c => (string?)c), Is.EqualTo(new[] { "x" }));
            Assert.That((string?)Jwts.Payload(token)["sub"], Is.EqualTo("x"));
            Assert.That(published.ToJsonString(), Is.EqualTo(key.ToJsonWebKey().ToJsonString()));
        });
    }

    [Test]
    public async Task ServeDocument_DiscoveryAndKidlessJwks_ServedUntilRestoreAndStillCounted()
    {
        var kidless = _op.GetSigningKey("ES256").ToJsonWebKey();
        kidless.Remove("kid");

        _op.ServeDocument(FakeOpenIdEndpoint.Discovery, new JsonObject { ["issuer"] = "https://impostor.example", ["jwks_uri"] = _op.JwksUri }.ToJsonString());
        _op.ServeDocument(FakeOpenIdEndpoint.Jwks, new JsonObject { ["keys"] = new JsonArray(kidless) }.ToJsonString());
        _op.ServeDocument(FakeOpenIdEndpoint.Jwks, new JsonObject { ["keys"] = new JsonArray(kidless.DeepClone()) }.ToJsonString());
        var discovery = await _http.GetJsonAsync(_op.DiscoveryEndpoint);
        var jwks = await _http.GetJsonAsync(_op.JwksUri);
        _op.Restore();
        var restored = await _http.GetJsonAsync(_op.DiscoveryEndpoint);

        Assert.Multiple(() =>
        {
            Assert.That((string?)discovery["issuer"], Is.EqualTo("https://impostor.example"));
            Assert.That(jwks["keys"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(jwks["keys"]![0]!.AsObject().ContainsKey("kid"), Is.False);
            Assert.That((string?)restored["issuer"], Is.EqualTo(_op.Issuer));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.Discovery), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task ServeDocument_ErrorStatus_IsServedWithThatStatus()
    {
        _op.ServeDocument(FakeOpenIdEndpoint.UserInfo, """{"error":"temporarily_unavailable"}""", 429);

        using var response = await _http.GetAsync(new Uri(_op.UserInfoEndpoint));

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(429));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        });
    }
}
