using System.Text.Json.Nodes;
using System.Threading.Channels;
using Flaat.Engine;
using Flaat.Evaluation;
using Flaat.Requirements;
using Flaat.Testing;

namespace Flaat.Tests.Core.Parity;

/// <summary>
/// The core protects code that is not ASP.NET Core: a worker reads (token, job) pairs from a queue
/// and runs a plain function for each one — flaat's <c>AuthWorkflow.decorate_view_func</c> and
/// <c>authenticate_user</c> without a web framework.
/// </summary>
public sealed class PlainFunctionProtectionTests
{
    private FakeOpenIdProvider _op = null!;
    private FlaatAuthenticator _engine = null!;
    private FlaatEvaluator _evaluator = null!;

    [SetUp]
    public void SetUp()
    {
        _op = FakeOpenIdProvider.Start();
        _engine = new FlaatAuthenticator(new FlaatOptions { TrustedIssuers = { _op.Issuer }, RequestTimeout = TimeSpan.FromSeconds(10) });
        _evaluator = new FlaatEvaluator(_engine);
    }

    [TearDown]
    public void TearDown()
    {
        _engine.Dispose();
        _op.Dispose();
    }

    /// <summary>Only admins may delete, and only their own documents (a request requirement on the job).</summary>
    private static readonly FlaatPolicy DeletePolicy = new()
    {
        UserRequirement = Require.Claim("admins", "groups"),
        RequestRequirements =
        [
            (user, request) => request is DeleteJob job && job.Owner == user.Subject
                ? new CheckResult(true, "Owner matches")
                : new CheckResult(false, $"Only the owner may delete document {(request as DeleteJob)?.Document}"),
        ],
    };

    [Test]
    public async Task RunProtectedAsync_WorkerDrainingAQueue_RunsOnlyAllowedJobsAndReportsEachRefusal()
    {
        var admin = _op.CreateJwt(new FakeUser("alice").WithClaim("groups", new[] { "admins" }));
        var member = _op.CreateJwt(new FakeUser("bob").WithClaim("groups", new[] { "users" }));
        var queue = Channel.CreateUnbounded<(string? Token, DeleteJob Job)>();
        await queue.Writer.WriteAsync((admin, new DeleteJob("alice", "a.txt")));
        await queue.Writer.WriteAsync((null, new DeleteJob("alice", "b.txt")));
        await queue.Writer.WriteAsync(("not-a-token-anyone-knows", new DeleteJob("alice", "c.txt")));
        await queue.Writer.WriteAsync((member, new DeleteJob("bob", "d.txt")));
        await queue.Writer.WriteAsync((admin, new DeleteJob("carol", "e.txt")));
        queue.Writer.Complete();
        var deleted = new List<string>();
        var refusals = new List<FlaatOutcome>();

        await foreach (var (token, job) in queue.Reader.ReadAllAsync())
        {
            await _evaluator.RunProtectedAsync(
                BearerToken.FromToken(token),
                DeletePolicy,
                (user, _) =>
                {
                    deleted.Add($"{job.Document} by {user}");
                    return Task.FromResult(true);
                },
                onFailure: outcome =>
                {
                    refusals.Add(outcome);
                    return false;
                },
                request: job);
        }

        Assert.That(deleted, Is.EqualTo(new[] { $"a.txt by alice@{_op.Issuer}" }));
        Assert.That(refusals.Select(r => r.Error!.StatusCode), Is.EqualTo(new[] { 401, 401, 403, 403 }));
        Assert.That(refusals[0].Error!.Description, Is.EqualTo("No access token"));
        Assert.That(refusals[1].UserInfos, Is.Null);
        Assert.That(refusals[2].Error!.Description, Is.EqualTo($"User bob@{_op.Issuer} does not meet requirements"));
        Assert.That(refusals[2].UserInfos!.Subject, Is.EqualTo("bob"), "on_failure sees the user known at that point");
        Assert.That(refusals[3].Error!.Description, Is.EqualTo($"Request from user alice@{_op.Issuer} does not meet requirements"));
        Assert.That(refusals[3].Error!.Details!.ToJsonString(), Is.EqualTo("""["Only the owner may delete document e.txt"]"""));
    }

    [Test]
    public void RunProtectedAsync_NoOnFailure_ForbiddenThrowsWithDetailsAndActionNeverRuns()
    {
        var member = _op.CreateJwt(new FakeUser("bob").WithClaim("groups", new[] { "users" }));
        var ran = false;

        var thrown = Assert.ThrowsAsync<FlaatForbiddenException>(() => _evaluator.RunProtectedAsync(
            BearerToken.FromToken(member),
            DeletePolicy,
            (_, _) => Task.FromResult(ran = true),
            request: new DeleteJob("bob", "x")));

        Assert.That(ran, Is.False);
        Assert.That(thrown!.StatusCode, Is.EqualTo(403));
        Assert.That(thrown.Details, Is.Not.Null);
        Assert.That(thrown.ToError().ToJson(), Does.Contain("\"error_details\""));
        Assert.That(thrown.Details!.ToJsonString(), Does.Contain("admins"));
    }

    [Test]
    public void RunProtectedAsync_NoOnFailureAndBadToken_ThrowsUnauthenticated()
    {
        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => _evaluator.RunProtectedAsync(
            BearerToken.FromAuthorizationHeader("Basic dXNlcjpwYXNz"),
            FlaatPolicy.Authenticated,
            (_, _) => Task.FromResult(0)));

        Assert.That(thrown!.StatusCode, Is.EqualTo(401));
        Assert.That(thrown.Message, Is.EqualTo("No bearer token in authorization header"));
    }

    [Test]
    public async Task RunProtectedAsync_OptionalAuthenticationWithoutToken_RunsWithNoUser()
    {
        UserInfos? seen = Users.Placeholder;

        var result = await _evaluator.RunProtectedAsync(
            PresentedToken.None,
            FlaatPolicy.Optional,
            (user, _) =>
            {
                seen = user;
                return Task.FromResult("ran");
            });

        Assert.That(result, Is.EqualTo("ran"));
        Assert.That(seen, Is.Null);
    }

    [Test]
    public async Task EvaluateAsync_AccessLevelFromOptions_ProtectsAPlainFunction()
    {
        var options = new FlaatOptions
        {
            TrustedIssuers = { _op.Issuer },
            RequestTimeout = TimeSpan.FromSeconds(10),
        };
        var access = new FlaatAccessOptions { AccessLevels = { ["operator"] = new AccessLevelOptions { Kind = "claim", Claim = "groups", Values = ["ops"] } } };
        using var engine = new FlaatAuthenticator(options);
        var evaluator = new FlaatEvaluator(engine);
        var levels = AccessLevel.CreateAll(access, Require.IssuerSupportsAudience(options));
        var policy = new FlaatPolicy { UserRequirement = levels["operator"].Requirement };

        var allowed = await evaluator.EvaluateAsync(BearerToken.FromToken(_op.CreateJwt(new FakeUser("o").WithClaim("groups", new[] { "ops" }))), policy);
        var refused = await evaluator.EvaluateAsync(BearerToken.FromToken(_op.CreateJwt(new FakeUser("p").WithClaim("groups", new[] { "dev" }))), policy);

        Assert.That(allowed.IsAllowed, Is.True);
        Assert.That(refused.Error!.StatusCode, Is.EqualTo(403));
    }

    [Test]
    public async Task GetUserInfosAsync_TrustedJwt_ReturnsUserInfoClaimsAndTokenInfo()
    {
        var token = _op.CreateJwt(new FakeUser("alice").WithClaim("email", "alice@example.org"));

        var infos = await _engine.GetUserInfosAsync(token);

        Assert.That(infos.Subject, Is.EqualTo("alice"));
        Assert.That(infos.Issuer, Is.EqualTo(_op.Issuer));
        Assert.That(infos.GetString("email"), Is.EqualTo("alice@example.org"));
        Assert.That(infos.AccessTokenInfo!.IsVerified, Is.True);
        Assert.That(infos.AccessTokenInfo.VerificationAlgorithm, Is.EqualTo("RS256"));
        Assert.That(infos.AccessTokenInfo.Header["kid"].GetString(), Is.EqualTo(_op.GetSigningKey("RS256").KeyId));
        Assert.That(infos.AccessTokenInfo.Body["sub"].GetString(), Is.EqualTo("alice"));
        Assert.That(infos.AccessTokenInfo.Signature, Is.EqualTo(token.Split('.')[2]));
        Assert.That(infos["email"]?.GetString(), Is.EqualTo("alice@example.org"));
        Assert.That(infos.TimeLeft(TimeProvider.System.GetUtcNow()), Is.GreaterThan(TimeSpan.FromMinutes(59)));
        Assert.That(JsonNode.Parse(infos.ToJson())!["user_info"]!["email"]!.GetValue<string>(), Is.EqualTo("alice@example.org"));
    }

    [Test]
    public async Task GetUserInfosAsync_OpaqueTokenWithIssuerHint_AsksTheHintedOp()
    {
        var token = _op.CreateOpaqueToken(new FakeUser("carol"));

        var infos = await _engine.GetUserInfosAsync(token, issuerHint: _op.Issuer);

        Assert.That(infos.ToString(), Is.EqualTo($"carol@{_op.Issuer}"));
        Assert.That(infos.AccessTokenInfo, Is.Null);
    }

    [Test]
    public void GetUserInfosAsync_UntrustedIssuer_ThrowsUnauthenticated401()
    {
        using var stranger = FakeOpenIdProvider.Start();

        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => _engine.GetUserInfosAsync(stranger.CreateJwt(new FakeUser("eve"))));

        Assert.That(thrown!.StatusCode, Is.EqualTo(401));
        Assert.That(thrown.Error, Is.EqualTo("Unauthenticated"));
        Assert.That(thrown.Message, Is.EqualTo($"Issuer is not trusted: {stranger.Issuer}"));
    }

    [Test]
    public void GetUserInfosAsync_OpDown_ThrowsUnavailable503()
    {
        var token = _op.CreateOpaqueToken(new FakeUser("dave"));
        _op.SimulateDown();

        var thrown = Assert.ThrowsAsync<FlaatUnavailableException>(() => _engine.GetUserInfosAsync(token, _op.Issuer));

        Assert.That(thrown!.StatusCode, Is.EqualTo(503));
        Assert.That(thrown.Error, Is.EqualTo("Unavailable"));
    }

    [Test]
    public void GetUserInfosAsync_MisconfiguredOp_ThrowsFlaatException500()
    {
        _op.ServeDocument(FakeOpenIdEndpoint.Discovery, """{"issuer":"https://someone-else.example","userinfo_endpoint":"https://someone-else.example/userinfo"}""");
        var token = _op.CreateOpaqueToken(new FakeUser("erin"));

        var thrown = Assert.ThrowsAsync<FlaatException>(() => _engine.GetUserInfosAsync(token, _op.Issuer));

        Assert.That(thrown!.GetType(), Is.EqualTo(typeof(FlaatException)));
        Assert.That(thrown.StatusCode, Is.EqualTo(500));
        Assert.That(thrown.Error, Is.EqualTo("Error"));
        Assert.That(thrown.Message, Does.Contain("names another issuer"));
    }

    [Test]
    public void GetUserInfosAsync_RevokedToken_ThrowsUnauthenticated()
    {
        var token = _op.CreateOpaqueToken(new FakeUser("frank"));
        _op.RevokeToken(token);

        Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => _engine.GetUserInfosAsync(token, _op.Issuer));
    }

    private sealed record DeleteJob(string Owner, string Document);

    private static class Users
    {
        public static UserInfos Placeholder { get; } = new(null, System.Text.Json.JsonDocument.Parse("""{"sub":"placeholder"}""").RootElement);
    }
}
