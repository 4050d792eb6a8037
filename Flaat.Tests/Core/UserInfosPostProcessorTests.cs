using System.Text.Json.Nodes;
using Flaat.Engine;
using Flaat.Evaluation;
using Flaat.Requirements;
using Flaat.Testing;

namespace Flaat.Tests.Core;

/// <summary>flaat's <c>UserInfos.post_process_dictionaries()</c>: claims adjusted once per token, before requirements and caching.</summary>
public sealed class UserInfosPostProcessorTests
{
    private FakeOpenIdProvider _op = null!;

    [SetUp]
    public void SetUp() => _op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { ClientId = "rp", ClientSecret = "secret" });

    [TearDown]
    public void TearDown() => _op.Dispose();

    [Test]
    public async Task EvaluateAsync_GroupNamesNormalised_RequirementSeesTheNormalisedNames()
    {
        using var engine = Engine(new StripGroupSlashes());
        var evaluator = new FlaatEvaluator(engine);
        var token = _op.CreateJwt(new FakeUser("alice").WithClaim("groups", new[] { "/admins", "/users" }));

        var outcome = await evaluator.EvaluateAsync(BearerToken.FromToken(token), new FlaatPolicy { UserRequirement = Require.Claim("admins", "groups") });

        Assert.That(outcome.IsAllowed, Is.True, outcome.Error?.ToJson());
        Assert.That(outcome.UserInfos!.GetStrings("groups"), Is.EqualTo(new[] { "admins", "users" }));
    }

    [Test]
    public async Task AuthenticateAsync_SameTokenThreeTimes_PostProcessedOnceBecauseTheResultIsCached()
    {
        var counter = new Counting();
        using var engine = Engine(counter);
        var token = _op.CreateJwt(new FakeUser("alice"));

        for (var i = 0; i < 3; i++)
        {
            var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));
            Assert.That(result.Succeeded, Is.True);
        }

        var other = await engine.AuthenticateAsync(new AuthenticationRequest(_op.CreateJwt(new FakeUser("bob"))));

        Assert.That(other.Succeeded, Is.True);
        Assert.That(counter.Calls, Is.EqualTo(2));
    }

    [Test]
    public async Task GetUserInfosAsync_ProcessorsInOrder_SeeAllThreeSourcesAndTheirChangesLand()
    {
        var seen = new List<string>();
        using var engine = Engine(
            new Lambda(c =>
            {
                seen.Add($"first: body={c.AccessTokenBody is not null} introspection={c.IntrospectionInfo is not null} verified={c.AccessTokenInfo!.IsVerified}");
                // Copy a claim that only the userinfo has into the introspection answer and the JWT body.
                c.IntrospectionInfo!["department"] = c.UserInfo["department"]!.DeepClone();
                c.AccessTokenBody!["department"] = "from-body";
            }),
            new Lambda(c =>
            {
                seen.Add("second: " + c.IntrospectionInfo!["department"]);
                c.UserInfo.Remove("department");
            }));
        var token = _op.CreateJwt(new FakeUser("carol").WithClaim("department", "physics"));

        var infos = await engine.GetUserInfosAsync(token);

        Assert.That(seen, Is.EqualTo(new[] { "first: body=True introspection=True verified=True", "second: physics" }));
        Assert.That(infos.UserInfo.ContainsKey("department"), Is.False);
        Assert.That(infos.IntrospectionInfo!["department"].GetString(), Is.EqualTo("physics"));
        Assert.That(infos.AccessTokenInfo!.Body["department"].GetString(), Is.EqualTo("from-body"));
        Assert.That(infos.GetString("department"), Is.EqualTo("physics"), "introspection comes before the JWT body");
        Assert.That(infos.AccessTokenInfo.Signature, Is.EqualTo(token.Split('.')[2]));
        Assert.That(infos.AccessTokenInfo.VerificationAlgorithm, Is.EqualTo("RS256"));
    }

    [Test]
    public async Task AuthenticateAsync_OpaqueToken_ContextHasNoAccessTokenBody()
    {
        JsonObject? body = [];
        using var engine = Engine(new Lambda(c => body = c.AccessTokenBody));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(_op.CreateOpaqueToken(new FakeUser("dave")), _op.Issuer));

        Assert.That(result.Succeeded, Is.True);
        Assert.That(body, Is.Null);
    }

    [Test]
    public async Task AuthenticateAsync_ProcessorThrowsForbidden_TokenRefusedWithThatError()
    {
        using var engine = Engine(new Lambda(c =>
        {
            if (c.UserInfo["sub"]!.GetValue<string>() == "mallory")
            {
                throw new FlaatForbiddenException("Blocked user");
            }
        }));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(_op.CreateJwt(new FakeUser("mallory"))));

        Assert.That(result.Error!.StatusCode, Is.EqualTo(403));
        Assert.That(result.Error.Description, Is.EqualTo("Blocked user"));
    }

    [Test]
    public async Task AuthenticateAsync_NoProcessors_ClaimsUntouched()
    {
        using var engine = new FlaatAuthenticator(Options());

        var infos = await engine.GetUserInfosAsync(_op.CreateJwt(new FakeUser("erin").WithClaim("groups", new[] { "/admins" })));

        Assert.That(infos.GetStrings("groups"), Is.EqualTo(new[] { "/admins" }));
    }

    private FlaatOptions Options() => new() { TrustedIssuers = { _op.Issuer }, ClientId = "rp", ClientSecret = "secret", RequestTimeout = TimeSpan.FromSeconds(10) };

    private FlaatAuthenticator Engine(params IUserInfosPostProcessor[] processors) =>
        new(Options(), postProcessors: processors);

    /// <summary>Keycloak reports groups as paths ("/admins"); applications want plain names.</summary>
    private sealed class StripGroupSlashes : IUserInfosPostProcessor
    {
        public void PostProcess(UserInfosPostProcessingContext context)
        {
            if (context.UserInfo["groups"] is JsonArray groups)
            {
                context.UserInfo["groups"] = new JsonArray([.. groups.Select(g => (JsonNode)g!.GetValue<string>().TrimStart('/'))]);
            }
        }
    }

    private sealed class Counting : IUserInfosPostProcessor
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void PostProcess(UserInfosPostProcessingContext context) => Interlocked.Increment(ref _calls);
    }

    private sealed class Lambda(Action<UserInfosPostProcessingContext> action) : IUserInfosPostProcessor
    {
        public void PostProcess(UserInfosPostProcessingContext context) => action(context);
    }
}
