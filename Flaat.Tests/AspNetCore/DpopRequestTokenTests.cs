using Flaat.AspNetCore;
using Flaat.Engine;
using Flaat.Evaluation;
using Flaat.Testing;
using Flaat.Tests.Core;
using Flaat.Tests.Grpc;
using Flaat.Tests.Grpc.Proto;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// A DPoP presentation belongs to one request (review N3): a token reader that keeps tokens per
/// connection cannot let a later request skip its proof; and gRPC with <c>[FlaatDpop]</c> (Required).
/// </summary>
public sealed class DpopRequestTokenTests
{
    private const string Url = "http://localhost/items";

    private FakeOpenIdProvider _op = null!;
    private FakeDpopKey _key = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _op = FakeOpenIdProvider.Start();
        _key = FakeDpopKey.Create();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _key.Dispose();
        await _op.DisposeAsync();
    }

    private static DefaultHttpContext Request(string token, string proof)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("localhost");
        context.Request.Path = "/items";
        context.Request.Headers.Authorization = "DPoP " + token;
        context.Request.Headers[DpopToken.ProofHeader] = proof;
        return context;
    }

    [Test]
    public async Task Read_AReaderThatKeepsTokensPerConnection_TheSameRequestTwiceAllowedTheNextRequestIsAReplay()
    {
        var options = EngineTestKit.OptionsFor(_op);
        using var engine = new FlaatAuthenticator(options);
        var evaluator = new FlaatEvaluator(engine, binders: [new DpopTokenBinder(options)]);
        var readers = new FlaatTokenReaders([new StickyReader()]);
        var token = _op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { DpopKey = _key });
        var proof = _key.CreateProof("GET", Url, token);
        var first = Request(token, proof);
        var next = Request(token, proof);

        var once = await evaluator.EvaluateAsync(readers.Read(first), FlaatPolicy.Authenticated);
        var twice = await evaluator.EvaluateAsync(readers.Read(first), FlaatPolicy.Authenticated);
        var replay = await evaluator.EvaluateAsync(readers.Read(next), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(once.IsAllowed, Is.True, once.Error?.Description);
            Assert.That(twice.IsAllowed, Is.True, "one request judged twice (scheme, then gate) is no replay of itself: " + twice.Error?.Description);
            Assert.That(replay.Error?.Description, Does.Contain("used before"), "the reader's kept instance must not carry the accepted proof to the next request");
        });
    }

    [Test]
    public async Task Grpc_ServiceWithTheDpopAttribute_UnboundBearerUnauthenticatedProofInTheDpopEntryPasses()
    {
        await using var host = await GrpcTestHost.StartAsync(_op, map: app => app.MapGrpcService<DpopRequiredService>());
        var client = new Plain.PlainClient(host.Channel);
        var bearer = _op.CreateJwt(new FakeUser("bob"));
        var bound = _op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { DpopKey = _key });
        var url = host.CreateHttpClient().BaseAddress!.ToString().TrimEnd('/') + "/flaat.test.Plain/Open";

        var refused = Assert.ThrowsAsync<RpcException>(async () => await client.OpenAsync(new ProbeRequest(), new Metadata { { "authorization", "Bearer " + bearer } }));
        var reply = await client.OpenAsync(new ProbeRequest(), new Metadata { { "authorization", "DPoP " + bound }, { "dpop", _key.CreateProof("POST", url, bound) } });

        Assert.Multiple(() =>
        {
            Assert.That(refused!.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
            Assert.That(refused.Status.Detail, Does.Contain("DPoP-bound tokens only"));
            Assert.That(refused.Trailers.Where(t => t.Key == "www-authenticate").Select(t => t.Value), Is.Not.Empty.And.All.StartsWith("DPoP"));
            Assert.That(reply.Subject, Is.EqualTo("alice"));
        });
    }

    /// <summary>Keeps the first token it read for every later request, as a per-connection memo might.</summary>
    private sealed class StickyReader : IFlaatTokenReader
    {
        private PresentedToken? _kept;

        public PresentedToken? Read(HttpContext context) =>
            _kept ??= DpopToken.FromAuthorizationHeader(context.Request.Headers.Authorization, context.Request.Headers[DpopToken.ProofHeader], "GET", Url);
    }
}

/// <summary>DPoP-bound tokens only, by the attribute on the service class.</summary>
[FlaatAuthenticated]
[FlaatDpop]
internal sealed class DpopRequiredService : Plain.PlainBase
{
    public override Task<ProbeReply> Open(ProbeRequest request, ServerCallContext context) => Task.FromResult(Probe.Reply(context, "open"));
}
