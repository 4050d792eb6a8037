using System.Text.Json.Nodes;
using Flaat.Engine;
using Microsoft.Extensions.Time.Testing;
using static Flaat.Tests.Core.Engine.ScriptedOps;

namespace Flaat.Tests.Core.Engine;

/// <summary>
/// A trusted OP's userinfo and introspection answers are bound to the OP that was asked and to the
/// token: no OP can make a user another OP's user, or another subject than the JWT names.
/// </summary>
public sealed class OpAnswerBindingTests
{
    private const string A = "https://a.example";
    private const string B = "https://b.example";
    private const string Opaque = "opaque-token-of-a";

    private static readonly DateTimeOffset Now = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    private readonly ScriptedOps _ops = new();
    private readonly FakeTimeProvider _time = new(Now);
    private Op _a = null!;
    private HttpClient _http = null!;

    [SetUp]
    public void SetUp()
    {
        _a = _ops.Add(A);
        _ops.Add(B);
        _http = _ops.CreateClient();
    }

    [TearDown]
    public void TearDown()
    {
        _http.Dispose();
        _ops.Dispose();
    }

    [Test]
    public async Task AuthenticateAsync_UserInfoNamesAnotherTrustedIssuer_401AndNeverThatIssuersUser()
    {
        _a.UserInfo = Answering(Opaque, $$"""{"sub":"bob","iss":"{{B}}"}""");
        using var engine = Engine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(result.UserInfos, Is.Null);
        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo($"The OP {A} answered userinfo for another issuer ({B})"));
    }

    [TestCase("""{"sub":"bob","groups":["\ud800"]}""")]
    [TestCase("""{"sub":"bob","\udc00":1}""")]
    public async Task AuthenticateAsync_UserInfoWithAStringThatIsNoText_503NotAnException(string body)
    {
        // Valid JSON, but reading the string throws: it is refused on arrival, as a fault of the OP,
        // rather than throwing later wherever a requirement reads the claim.
        _a.UserInfo = Answering(Opaque, body);
        using var engine = Engine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(result.UserInfos, Is.Null);
        Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
        Assert.That(result.Error!.Description, Does.EndWith("its answer holds a string that is not valid Unicode"));
    }

    [Test]
    public async Task AuthenticateAsync_ProbedOpAnswersForAnotherIssuer_401()
    {
        _a.UserInfo = Answering(Opaque, $$"""{"sub":"bob","iss":"{{B}}"}""");
        using var engine = Engine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Does.Contain("for another issuer"));
    }

    [Test]
    public async Task AuthenticateAsync_UserInfoIssuerWithTrailingSlash_UserIssuerIsTheOpAskedAsConfigured()
    {
        _a.UserInfo = Answering(Opaque, $$"""{"sub":"bob","iss":"{{A}}/"}""");
        using var engine = Engine(options => options.TrustedIssuers[0] = A + "/");

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(result.Error, Is.Null);
        Assert.That(result.UserInfos!.Issuer, Is.EqualTo(A));
        Assert.That(result.UserInfos.GetString("iss"), Is.EqualTo(A));
    }

    [Test]
    public async Task AuthenticateAsync_UserInfoSubjectDiffersFromJwtSubject_401()
    {
        var token = Jwt(A, "alice");
        _a.UserInfo = Answering(token, """{"sub":"mallory"}""");
        using var engine = Engine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo($"The OP {A} answered userinfo for another subject than the token's"));
    }

    [Test]
    public async Task AuthenticateAsync_UserInfoSubjectEqualsJwtSubject_Accepted()
    {
        var token = Jwt(A, "alice");
        _a.UserInfo = Answering(token, """{"sub":"alice","email":"alice@example.org"}""");
        using var engine = Engine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error, Is.Null);
        Assert.That(result.UserInfos!.ToString(), Is.EqualTo($"alice@{A}"));
    }

    [TestCase("""{"sub":42}""")]
    [TestCase("""{"sub":null}""")]
    [TestCase("""{"sub":["bob"]}""")]
    [TestCase("""{"sub":"bob","iss":7}""")]
    public async Task AuthenticateAsync_UserInfoWithMalformedSubOrIss_401(string body)
    {
        _a.UserInfo = Answering(Opaque, body);
        using var engine = Engine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Does.Contain("with a malformed"));
    }

    [Test]
    public async Task AuthenticateAsync_UserInfoRepeatsSubWithAnotherValueLast_RefusedBeforeAnyReaderSeesIt()
    {
        // Two readers could take two different subs: the answer is refused on arrival as the OP's fault.
        var token = Jwt(A, "alice");
        _a.UserInfo = Answering(token, """{"sub":"alice","sub":"mallory"}""");
        using var engine = Engine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.UserInfos, Is.Null);
        Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
    }

    [Test]
    public async Task AuthenticateAsync_IntrospectionNamesAnotherIssuer_401()
    {
        Introspecting($$"""{"active":true,"sub":"bob","iss":"{{B}}"}""");
        _a.UserInfo = Answering(Opaque, """{"sub":"bob"}""");
        using var engine = Engine(WithCredentials);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo($"The OP {A} answered introspection for another issuer ({B})"));
    }

    [Test]
    public async Task AuthenticateAsync_IntrospectionSubjectDiffersFromUserInfo_401()
    {
        Introspecting("""{"active":true,"sub":"mallory"}""");
        _a.UserInfo = Answering(Opaque, """{"sub":"bob"}""");
        using var engine = Engine(WithCredentials);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo($"The OP {A} answered introspection for another subject than its userinfo"));
    }

    [Test]
    public async Task AuthenticateAsync_IntrospectionSubjectDiffersFromJwt_401()
    {
        var token = Jwt(A, "alice");
        _a.UserInfo = Answering(token, "{}");
        _a.Introspects = true;
        _a.Introspection = Answering(token, """{"active":true,"sub":"mallory"}""");
        using var engine = Engine(WithCredentials);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo($"The OP {A} answered introspection for another subject than the token's"));
    }

    [Test]
    public async Task AuthenticateAsync_IntrospectionOnlyWithIssuerWithSlash_UserIssuerIsTheOpAsked()
    {
        Introspecting($$"""{"active":true,"sub":"bob","iss":"{{A}}/"}""");
        _a.UserInfo = Answering(Opaque, "{}");
        using var engine = Engine(WithCredentials);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(result.Error, Is.Null);
        Assert.That(result.UserInfos!.ToString(), Is.EqualTo($"bob@{A}"));
    }

    [Test]
    public async Task AuthenticateAsync_IntrospectionActiveButExpiredBeyondClockSkew_401()
    {
        var expired = (Now - TimeSpan.FromSeconds(31)).ToUnixTimeSeconds();
        Introspecting($$"""{"active":true,"sub":"bob","exp":{{expired}}}""");
        _a.UserInfo = Answering(Opaque, """{"sub":"bob"}""");
        using var engine = Engine(WithCredentials);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo($"The OP {A} reports the token as active but expired"));
    }

    [Test]
    public async Task AuthenticateAsync_IntrospectionExpiredWithinClockSkew_Accepted()
    {
        var expired = (Now - TimeSpan.FromSeconds(29)).ToUnixTimeSeconds();
        Introspecting($$"""{"active":true,"sub":"bob","exp":{{expired}}}""");
        _a.UserInfo = Answering(Opaque, """{"sub":"bob"}""");
        using var engine = Engine(WithCredentials);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(result.Error, Is.Null);
    }

    [TestCase("\"soon\"")]
    [TestCase("true")]
    [TestCase("{}")]
    [TestCase("[1]")]
    [TestCase("1e300")]
    public async Task AuthenticateAsync_IntrospectionWithMalformedExp_401(string exp)
    {
        Introspecting($$"""{"active":true,"sub":"bob","exp":{{exp}}}""");
        _a.UserInfo = Answering(Opaque, """{"sub":"bob"}""");
        using var engine = Engine(WithCredentials);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(Opaque, IssuerHint: A));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo($"The OP {A} answered introspection with a malformed exp"));
    }

    internal static Func<string, Answer> Answering(string token, string body) =>
        presented => presented == token ? Answer.Ok(body) : Answer.Unauthorized;

    internal static string Jwt(string issuer, string subject, DateTimeOffset? now = null) =>
        EngineTestKit.Sign(
            new JsonObject { ["alg"] = "RS256", ["typ"] = "at+jwt" },
            EngineTestKit.Payload(issuer, subject, now: now ?? Now),
            _ => new byte[32]);

    private static void WithCredentials(FlaatOptions options)
    {
        options.ClientId = "api";
        options.ClientSecret = "secret";
    }

    private void Introspecting(string body)
    {
        _a.Introspects = true;
        _a.Introspection = Answering(Opaque, body);
    }

    /// <summary>An engine trusting a and b; JWTs are not verified here (these tests are about the OPs' answers).</summary>
    private FlaatAuthenticator Engine(Action<FlaatOptions>? configure = null)
    {
        var options = new FlaatOptions { TrustedIssuers = { A, B }, VerifyJwt = false };
        configure?.Invoke(options);
        return new FlaatAuthenticator(options, _http, _time);
    }
}
