using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Flaat.Tests.Examples;

/// <summary>
/// The README's first command, as a newcomer runs it: each HTTP example starts on its embedded
/// demo OP, prints curl commands, and those answer 200 for the demo admin and 403 for the demo user.
/// </summary>
[TestFixture("Flaat.Examples.MinimalApi")]
[TestFixture("Flaat.Examples.Mvc")]
[NonParallelizable]
public sealed class ExampleApiTests(string project)
{
    private ExampleProcess _example = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartExample()
    {
        _example = await ExampleProcess.StartAsync(project, TimeSpan.FromSeconds(60));
        _client = new HttpClient { BaseAddress = new Uri(_example.BaseUrl), Timeout = TimeSpan.FromSeconds(20) };
    }

    [OneTimeTearDown]
    public async Task StopExample()
    {
        _client?.Dispose();
        if (_example is not null)
        {
            await _example.DisposeAsync();
        }
    }

    [TestCase("/authorized_level")]
    [TestCase("/authorized_vo")]
    [TestCase("/authorized_claim")]
    public async Task ProtectedRoute_AdminAllowedUserForbidden(string path)
    {
        using var admin = await GetAsync(path, _example.AdminToken);
        using var user = await GetAsync(path, _example.UserToken);

        Assert.Multiple(async () =>
        {
            Assert.That(admin.StatusCode, Is.EqualTo(HttpStatusCode.OK), await admin.Content.ReadAsStringAsync());
            Assert.That(user.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            using var body = JsonDocument.Parse(await user.Content.ReadAsStringAsync());
            Assert.That(body.RootElement.GetProperty("error").GetString(), Is.EqualTo("Forbidden"));
            Assert.That(body.RootElement.TryGetProperty("error_details", out _), Is.True);
        });
    }

    // First in the fixture: the admin's tokens are then fresh (not yet cached by another test), and
    // the probing budget is spent by no other test.
    [Test]
    [Order(1)]
    public async Task AttackerBurst_NonAsciiAndGarbageTokens_FreshTokensStillAnswered()
    {
        // Non-ASCII tokens (over a raw socket: HttpClient will not send them), two headers and
        // distinct garbage tokens, as the hardening issue's attacker sent them; the demo OP's
        // circuit must stay closed, so the admin's JWT and opaque token still pass right after.
        // Ten garbage tokens stay within the default probing budget (20 per second), which the
        // admin's opaque token needs too.
        var refused = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            refused.Add((await RawHttp.GetAsync(new Uri(_example.BaseUrl), "/authorized_level", [$"Bearer t{i}\u00e9"])).Status);
            refused.Add((await RawHttp.GetAsync(new Uri(_example.BaseUrl), "/authorized_level", [$"Bearer a{i}", $"Bearer b{i}"])).Status);
            using var garbage = await GetAsync("/authorized_level", $"garbage-{Guid.NewGuid():N}");
            refused.Add((int)garbage.StatusCode);
        }

        using var jwt = await GetAsync("/authorized_level", _example.AdminToken);
        using var opaque = await GetAsync("/info", _example.AdminOpaqueToken);

        Assert.Multiple(() =>
        {
            Assert.That(refused, Is.All.EqualTo(401), "the client's fault: never a 503 or a 500");
            Assert.That(jwt.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(opaque.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Healthz_AfterTheAdminsTokenWasChecked_HealthyWithoutAToken()
    {
        using (await GetAsync("/info", _example.AdminToken))
        {
        }

        using var response = await GetAsync("/healthz", token: null);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
        });
    }

    [Test]
    public async Task Info_NoToken_401WithBearerChallenge()
    {
        using var response = await GetAsync("/info", token: null);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
        });
    }

    [Test]
    public async Task Info_AdminJwt_ReturnsUserInfosJson()
    {
        using var response = await GetAsync("/info", _example.AdminToken);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.RootElement.GetProperty("user_info").GetProperty("sub").GetString(), Is.EqualTo("demo-admin"));
            Assert.That(body.RootElement.GetProperty("access_token_info").GetProperty("verification").GetProperty("algorithm").GetString(), Is.EqualTo("RS256"));
        });
    }

    [Test]
    public async Task Info_AdminOpaqueToken_HasIntrospectionInfo()
    {
        using var response = await GetAsync("/info", _example.AdminOpaqueToken);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.RootElement.GetProperty("access_token_info").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(body.RootElement.GetProperty("introspection_info").GetProperty("active").GetBoolean(), Is.True);
        });
    }

    [Test]
    public async Task InfoNoStrict_NoToken_SaysNoUserinfo()
    {
        using var response = await GetAsync("/info_no_strict", token: null);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("No userinfo"));
        });
    }

    [Test]
    public async Task AuthenticatedCallback_BadToken_CustomTextWith401()
    {
        using var response = await GetAsync("/authenticated_callback", "not-a-token");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.StartWith("Custom callback"));
        });
    }

    [Test]
    public async Task FullCustom_AnonymousAllowed_DenyParameterForbidsUser()
    {
        using var anonymous = await GetAsync("/full_custom", token: null);
        using var admin = await GetAsync("/full_custom", _example.AdminToken);
        using var denied = await GetAsync("/full_custom?deny=1", _example.AdminToken);

        Assert.Multiple(async () =>
        {
            Assert.That(await anonymous.Content.ReadAsStringAsync(), Is.EqualTo("Hello, anonymous visitor"));
            Assert.That(await admin.Content.ReadAsStringAsync(), Does.Contain("admin@example.org"));
            Assert.That(denied.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _client.SendAsync(request);
    }
}
