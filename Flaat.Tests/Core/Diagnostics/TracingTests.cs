using System.Collections.Concurrent;
using System.Diagnostics;
using Flaat.Diagnostics;
using Flaat.Engine;
using Flaat.Testing;

namespace Flaat.Tests.Core.Diagnostics;

public sealed class TracingTests
{
    [Test]
    public async Task AuthenticateAsync_OpaqueTokenWithIntrospection_OneSpanPerOpRequestTaggedWithoutTheToken()
    {
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { ClientId = "rp", ClientSecret = "secret" });
        var options = EngineTestKit.OptionsFor(op);
        options.ClientId = "rp";
        options.ClientSecret = "secret";
        using var engine = new FlaatAuthenticator(options);
        var token = op.CreateOpaqueToken(new FakeUser("bob"));

        var (result, spans) = await TraceAsync(() => engine.AuthenticateAsync(new AuthenticationRequest(token)).AsTask());

        var opSpans = spans.Where(s => s.OperationName == "flaat.op.request").ToList();
        Assert.That(result.UserInfos, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(opSpans.Select(s => s.GetTagItem("flaat.endpoint")), Is.EquivalentTo(new[] { "discovery", "userinfo", "introspection" }));
            Assert.That(opSpans.Select(s => s.GetTagItem("flaat.issuer")), Is.All.EqualTo(op.Issuer));
            Assert.That(opSpans.Select(s => s.GetTagItem("flaat.outcome")), Is.All.EqualTo("ok"));
            Assert.That(opSpans.Select(s => s.GetTagItem("http.response.status_code")), Is.All.EqualTo(200));
            Assert.That(opSpans.Select(s => s.Kind), Is.All.EqualTo(ActivityKind.Client));
            Assert.That(opSpans.Select(s => s.Status), Is.All.EqualTo(ActivityStatusCode.Unset));
        });
        AssertNoTokenIn(spans, token);
    }

    [Test]
    public async Task AuthenticateAsync_Jwt_SpansCarryNeitherTheTokenNorItsParts()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));
        var token = op.CreateJwt(new FakeUser("bob"));

        var (result, spans) = await TraceAsync(() => engine.AuthenticateAsync(new AuthenticationRequest(token)).AsTask());

        Assert.That(result.UserInfos, Is.Not.Null);
        Assert.That(
            spans.Where(s => s.OperationName == "flaat.op.request").Select(s => s.GetTagItem("flaat.endpoint")),
            Is.EquivalentTo(new[] { "discovery", "jwks", "userinfo" }));
        AssertNoTokenIn(spans, token);
        foreach (var part in token.Split('.'))
        {
            AssertNoTokenIn(spans, part);
        }
    }

    [Test]
    public async Task AuthenticateAsync_CacheMissThenHit_OneAuthenticationSpanParentOfTheOpSpans()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));
        var token = op.CreateJwt(new FakeUser("bob"));

        var (results, spans) = await TraceAsync(async () =>
        {
            var miss = await engine.AuthenticateAsync(new AuthenticationRequest(token));
            var hit = await engine.AuthenticateAsync(new AuthenticationRequest(token));
            return (miss, hit);
        });

        var authentication = spans.Where(s => s.OperationName == "flaat.authenticate").ToList();
        Assert.That(results.miss.UserInfos, Is.Not.Null);
        Assert.That(results.hit.UserInfos, Is.Not.Null);
        Assert.That(authentication, Has.Count.EqualTo(1), "a span for the miss, none for the cached hit");
        Assert.Multiple(() =>
        {
            Assert.That(authentication[0].GetTagItem("flaat.result"), Is.EqualTo("accepted"));
            Assert.That(authentication[0].Status, Is.EqualTo(ActivityStatusCode.Unset));
            Assert.That(
                spans.Where(s => s.OperationName == "flaat.op.request").Select(s => s.ParentSpanId),
                Is.Not.Empty.And.All.EqualTo(authentication[0].SpanId),
                "the OP requests are part of the authentication");
        });
        AssertNoTokenIn(spans, token);
    }

    [Test]
    public async Task AuthenticateAsync_OpDown_SpansMarkTheOutageAsAnError()
    {
        using var op = FakeOpenIdProvider.Start();
        var options = EngineTestKit.OptionsFor(op);
        options.Resilience.MaxRetries = 0;
        using var engine = new FlaatAuthenticator(options);
        op.SimulateDown();
        var token = op.CreateJwt(new FakeUser("bob"));

        var (result, spans) = await TraceAsync(() => engine.AuthenticateAsync(new AuthenticationRequest(token)).AsTask());

        var discovery = spans.Single(s => s.OperationName == "flaat.op.request");
        var authentication = spans.Single(s => s.OperationName == "flaat.authenticate");
        Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
        Assert.Multiple(() =>
        {
            Assert.That(discovery.GetTagItem("flaat.outcome"), Is.EqualTo("unavailable"));
            Assert.That(discovery.GetTagItem("http.response.status_code"), Is.EqualTo(503));
            Assert.That(discovery.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(authentication.GetTagItem("flaat.result"), Is.EqualTo("unavailable"));
            Assert.That(authentication.Status, Is.EqualTo(ActivityStatusCode.Error));
        });
        AssertNoTokenIn(spans, token);
    }

    [Test]
    public async Task AuthenticateAsync_TokenRejected_AuthenticationSpanTaggedRejectedNotAnError()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));
        const string token = "an-opaque-token-no-op-knows";

        var (result, spans) = await TraceAsync(() => engine.AuthenticateAsync(new AuthenticationRequest(token)).AsTask());

        var authentication = spans.Single(s => s.OperationName == "flaat.authenticate");
        var userInfo = spans.Single(s => s.OperationName == "flaat.op.request" && Equals(s.GetTagItem("flaat.endpoint"), "userinfo"));
        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.Multiple(() =>
        {
            Assert.That(authentication.GetTagItem("flaat.result"), Is.EqualTo("rejected"));
            Assert.That(authentication.Status, Is.EqualTo(ActivityStatusCode.Unset));
            Assert.That(userInfo.GetTagItem("flaat.outcome"), Is.EqualTo("rejected"));
            Assert.That(userInfo.GetTagItem("http.response.status_code"), Is.EqualTo(401));
        });
        AssertNoTokenIn(spans, token);
    }

    /// <summary>Runs <paramref name="work"/> under a trace of its own and collects Flaat's spans of that trace.</summary>
    private static async Task<(T Result, List<Activity> Spans)> TraceAsync<T>(Func<Task<T>> work)
    {
        var spans = new ConcurrentQueue<Activity>();
        using var root = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();
        var trace = root.TraceId;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == FlaatDiagnostics.ActivitySourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == trace)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var result = await work();
        return (result, spans.ToList());
    }

    /// <summary>The token is in no name, tag, status, event or baggage of any span.</summary>
    private static void AssertNoTokenIn(IReadOnlyList<Activity> spans, string token)
    {
        Assert.That(spans, Is.Not.Empty);
        var texts = spans.SelectMany(span => new[] { span.DisplayName, span.OperationName, span.StatusDescription }
            .Concat(span.TagObjects.SelectMany(tag => new[] { tag.Key, Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) }))
            .Concat(span.Baggage.SelectMany(item => new[] { item.Key, item.Value }))
            .Concat(span.Events.SelectMany(e => e.Tags.Select(tag => Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture)).Append(e.Name))));
        Assert.That(texts.Where(text => text is not null && text.Contains(token, StringComparison.Ordinal)), Is.Empty, "no span carries the token");
    }
}
