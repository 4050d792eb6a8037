using Flaat.Testing;
using Flaat.Tests.Grpc.Proto;
using Grpc.Core;

namespace Flaat.Tests.EndToEnd;

/// <summary>DPoP through the gRPC adapter against the real OP: the proof in the <c>dpop</c> entry, <c>POST</c> and the method's URL.</summary>
public sealed partial class GrpcEndToEndTests
{
    private const string WhoAmIPath = "/flaat.test.Annotated/WhoAmI";

    private string WhoAmIUrl => _app.Urls.Single().TrimEnd('/') + WhoAmIPath;

    private static Metadata Dpop(string scheme, string token, params string[] proofs)
    {
        var headers = new Metadata { { "authorization", $"{scheme} {token}" } };
        foreach (var proof in proofs)
        {
            headers.Add("dpop", proof);
        }

        return headers;
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Dpop_BoundTokenWithAFreshProof_OkWithTheUser(bool jwt)
    {
        var (key, token) = await DpopEndToEndTokens.GetAsync(jwt);

        var reply = await Client.WhoAmIAsync(new ProbeRequest(), Dpop("DPoP", token, key.CreateProof("POST", WhoAmIUrl, token)));

        Assert.That(reply.Subject, Is.EqualTo(OidcProviderFixture.Alice));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Dpop_BadPresentations_UnauthenticatedWithTheDpopChallenge(bool jwt)
    {
        var (key, token) = await DpopEndToEndTokens.GetAsync(jwt);
        var used = key.CreateProof("POST", WhoAmIUrl, token);
        await Client.WhoAmIAsync(new ProbeRequest(), Dpop("DPoP", token, used));
        var (_, otherToken) = await DpopEndToEndTokens.GetAsync(!jwt);
        var scenarios = new (string Name, Metadata Headers, string Code)[]
        {
            ("replayed proof", Dpop("DPoP", token, used), "invalid_dpop_proof"),
            ("wrong htm", Dpop("DPoP", token, key.CreateProof("GET", WhoAmIUrl, token)), "invalid_dpop_proof"),
            ("wrong htu", Dpop("DPoP", token, key.CreateProof("POST", WhoAmIUrl + "x", token)), "invalid_dpop_proof"),
            ("wrong ath", Dpop("DPoP", token, key.CreateProof("POST", WhoAmIUrl, otherToken)), "invalid_dpop_proof"),
            ("stale iat", Dpop("DPoP", token, key.CreateProof("POST", WhoAmIUrl, token, new FakeDpopProofOptions { IssuedAt = DateTimeOffset.UtcNow.AddMinutes(-10) })), "invalid_dpop_proof"),
            ("another key", Dpop("DPoP", token, DpopEndToEndTokens.OtherKey.Value.CreateProof("POST", WhoAmIUrl, token)), "invalid_token"),
            ("bound token as Bearer", Dpop("Bearer", token), "invalid_token"),
            ("missing proof", Dpop("DPoP", token), "invalid_dpop_proof"),
        };
        foreach (var (name, headers, code) in scenarios)
        {
            var exception = Assert.ThrowsAsync<RpcException>(async () => await Client.WhoAmIAsync(new ProbeRequest(), headers), name);
            Assert.Multiple(() =>
            {
                Assert.That(exception!.StatusCode, Is.EqualTo(StatusCode.Unauthenticated), name);
                Assert.That(exception.Trailers.Where(t => t.Key == "www-authenticate").Select(t => t.Value), Has.Some.StartsWith($"DPoP error=\"{code}\""), name);
            });
        }
    }
}
