using Flaat.Engine;
using Microsoft.Extensions.Time.Testing;
using static Flaat.Tests.Core.Engine.ScriptedOps;

namespace Flaat.Tests.Core.Engine;

/// <summary>
/// What an OP's status or body says, and about whom: a refusal of the token (401), a fault of the
/// OP's deployment (503, never the user's fault), or a problem in one user's answer that must not
/// open the OP's circuit for everyone.
/// </summary>
public sealed class OpAnswerClassificationTests
{
    private const string A = "https://a.example";
    private const string Opaque = "opaque-token-of-a";

    private readonly ScriptedOps _ops = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero));
    private Op _a = null!;
    private HttpClient _http = null!;

    [SetUp]
    public void SetUp()
    {
        _a = _ops.Add(A);
        _http = _ops.CreateClient();
    }

    [TearDown]
    public void TearDown()
    {
        _http.Dispose();
        _ops.Dispose();
    }

    [TestCase(400)]
    [TestCase(401)]
    [TestCase(403)]
    public async Task AuthenticateAsync_UserInfoRefusesTheToken_401(int status)
    {
        _a.UserInfo = _ => new Answer(status, "{}");
        using var engine = Engine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
    }

    [TestCase(404)]
    [TestCase(405)]
    [TestCase(410)]
    public async Task AuthenticateAsync_UserInfoAnswersAStatusAboutItsDeployment_503AndNotRemembered(int status)
    {
        _a.UserInfo = _ => new Answer(status, "{}");
        using var engine = Engine();

        var first = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));
        _a.UserInfo = _ => Answer.Ok("""{"sub":"bob"}""");
        var second = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(first.Error?.StatusCode, Is.EqualTo(503));
        Assert.That(first.Error!.Description, Does.Contain("which says nothing about the token"));
        Assert.That(second.Error, Is.Null, "the OP's fault was not remembered as the token's rejection");
    }

    [Test]
    public async Task AuthenticateAsync_ProbedOpAnswers404_NotARejection()
    {
        _a.UserInfo = _ => new Answer(404, "{}");
        using var engine = Engine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
    }

    [Test]
    public async Task AuthenticateAsync_IntrospectionAnswers400_401()
    {
        _a.UserInfo = _ => Answer.Ok("""{"sub":"bob"}""");
        _a.Introspects = true;
        _a.Introspection = _ => new Answer(400, """{"error":"invalid_request"}""");
        using var engine = Engine(WithCredentials);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo($"The OP {A} refused to introspect the token (status 400)"));
    }

    [TestCase(401, 500)]
    [TestCase(403, 500)]
    [TestCase(404, 503)]
    public async Task AuthenticateAsync_IntrospectionRefusesTheClient_NotTheUsersFault(int status, int expected)
    {
        _a.UserInfo = _ => Answer.Ok("""{"sub":"bob"}""");
        _a.Introspects = true;
        _a.Introspection = _ => new Answer(status, "{}");
        using var engine = Engine(WithCredentials);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(expected));
    }

    [TestCase("""{"sub":"bob","sub":"alice"}""")]
    [TestCase("""{"sub":"bob","groups":{"x":1,"x":2}}""")]
    public async Task AuthenticateAsync_UserInfoWithARepeatedMember_503NotAnException(string body)
    {
        _a.UserInfo = _ => Answer.Ok(body);
        using var engine = Engine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
        Assert.That(result.Error!.Description, Does.EndWith("its answer is not JSON without repeated members"));
    }

    [Test]
    public async Task AuthenticateAsync_ManyUsersWithUnreadableClaims_OpCircuitStaysClosed()
    {
        // One user's badly encoded display name fails that user's token, not the OP for everyone.
        _a.UserInfo = token => token == "good" ? Answer.Ok("""{"sub":"alice"}""") : Answer.Ok("""{"sub":"bob","name":"\ud800"}""");
        using var engine = Engine();
        for (var i = 0; i < 10; i++)
        {
            var bad = await engine.AuthenticateAsync(new AuthenticationRequest("bad-" + i, IssuerHint: A));
            Assert.That(bad.Error?.StatusCode, Is.EqualTo(503));
        }

        var good = await engine.AuthenticateAsync(new AuthenticationRequest("good", IssuerHint: A));

        Assert.That(good.Error, Is.Null);
        Assert.That(good.UserInfos!.Subject, Is.EqualTo("alice"));
    }

    private static void WithCredentials(FlaatOptions options)
    {
        options.ClientId = "api";
        options.ClientSecret = "secret";
    }

    private FlaatAuthenticator Engine(Action<FlaatOptions>? configure = null)
    {
        var options = new FlaatOptions { TrustedIssuers = { A } };
        configure?.Invoke(options);
        return new FlaatAuthenticator(options, _http, _time);
    }
}
