using System.Net;
using System.Text.Json;
using Flaat.Testing;

namespace Flaat.Tests.EndToEnd;

/// <summary>
/// DPoP-bound tokens from the real oidc-provider (the real code flow, with a proof at its token
/// endpoint), shared by every end-to-end adapter test: one key, one bound JWT and one bound opaque
/// token of Alice for the whole run.
/// </summary>
internal static class DpopEndToEndTokens
{
    private static readonly Lazy<Task<(FakeDpopKey Key, string Jwt, string Opaque)>> Tokens = new(async () =>
    {
        var op = await OidcProviders.TrustedAsync();
        var key = FakeDpopKey.Create();
        var jwt = await op.Client.GetTokensAsync(OidcProviderFixture.Alice, OidcProviderFixture.JwtResource, dpopKey: key);
        var opaque = await op.Client.GetTokensAsync(OidcProviderFixture.Alice, dpopKey: key);
        Assert.That((jwt.TokenType, opaque.TokenType), Is.EqualTo(("DPoP", "DPoP")), "the OP bound the tokens");
        return (key, jwt.AccessToken, opaque.AccessToken);
    });

    /// <summary>Another key than the tokens are bound to.</summary>
    public static readonly Lazy<FakeDpopKey> OtherKey = new(() => FakeDpopKey.Create());

    public static async Task<(FakeDpopKey Key, string Token)> GetAsync(bool jwt)
    {
        var (key, jwtToken, opaque) = await Tokens.Value;
        return (key, jwt ? jwtToken : opaque);
    }
}

/// <summary>
/// DPoP through each HTTP adapter against the real OP (issue 14 item 8): a fresh proof gives 200 with
/// the user; a replayed proof, a wrong htm, htu or ath, a stale iat, another key, the bound token sent
/// as Bearer and a missing proof give 401 with the DPoP challenge. The opaque token is found among the
/// two trusted OPs by introspection (its issuer is neither pinned nor hinted).
/// </summary>
public abstract partial class AdapterEndToEndContract
{
    private async Task<HttpResponseMessage> SendDpopAsync(string scheme, string token, params string[] proofs)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/info");
        request.Headers.TryAddWithoutValidation("Authorization", scheme + " " + token);
        foreach (var proof in proofs)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }

        return await _client.SendAsync(request);
    }

    private string InfoUrl => new Uri(_client.BaseAddress!, "/info").ToString();

    [TestCase(true)]
    [TestCase(false)]
    public async Task Dpop_BoundTokenWithAFreshProof_200WithTheUser(bool jwt)
    {
        var (key, token) = await DpopEndToEndTokens.GetAsync(jwt);

        using var response = await SendDpopAsync("DPoP", token, key.CreateProof("GET", InfoUrl, token));

        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        using var json = JsonDocument.Parse(body);
        var info = json.RootElement.GetProperty(jwt ? "access_token_info" : "introspection_info");
        Assert.That((jwt ? info.GetProperty("body") : info).GetProperty("sub").GetString(), Is.EqualTo(OidcProviderFixture.Alice));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Dpop_BadPresentations_401WithTheDpopChallenge(bool jwt)
    {
        var (key, token) = await DpopEndToEndTokens.GetAsync(jwt);
        var used = key.CreateProof("GET", InfoUrl, token);
        using (var first = await SendDpopAsync("DPoP", token, used))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), await first.Content.ReadAsStringAsync());
        }

        var (_, otherToken) = await DpopEndToEndTokens.GetAsync(!jwt);
        var scenarios = new (string Name, string Scheme, string[] Proofs, string Code)[]
        {
            ("replayed proof", "DPoP", [used], "invalid_dpop_proof"),
            ("wrong htm", "DPoP", [key.CreateProof("POST", InfoUrl, token)], "invalid_dpop_proof"),
            ("wrong htu", "DPoP", [key.CreateProof("GET", InfoUrl + "/other", token)], "invalid_dpop_proof"),
            ("wrong ath", "DPoP", [key.CreateProof("GET", InfoUrl, otherToken)], "invalid_dpop_proof"),
            ("stale iat", "DPoP", [key.CreateProof("GET", InfoUrl, token, new FakeDpopProofOptions { IssuedAt = DateTimeOffset.UtcNow.AddMinutes(-10) })], "invalid_dpop_proof"),
            ("another key", "DPoP", [DpopEndToEndTokens.OtherKey.Value.CreateProof("GET", InfoUrl, token)], "invalid_token"),
            ("bound token as Bearer", "Bearer", [], "invalid_token"),
            ("missing proof", "DPoP", [], "invalid_dpop_proof"),
        };
        foreach (var (name, scheme, proofs, code) in scenarios)
        {
            using var response = await SendDpopAsync(scheme, token, proofs);
            var challenges = response.Headers.WwwAuthenticate.Select(h => h.ToString()).ToArray();
            Assert.Multiple(() =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), name);
                Assert.That(challenges, Has.Some.StartsWith($"DPoP error=\"{code}\"").And.Some.Contains("algs="), name);
            });
        }
    }
}
