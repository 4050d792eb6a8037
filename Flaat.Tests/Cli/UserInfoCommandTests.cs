using System.Collections;
using System.Text.Json;
using Flaat.Cli;
using Flaat.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Cli;

/// <summary>flaat-userinfo against a fake OP on 127.0.0.1: what it prints and how it exits.</summary>
public sealed class UserInfoCommandTests
{
    private const string ClientId = "cli-client";
    private const string ClientSecret = "cli-secret";

    private static readonly FakeUser Alice = new FakeUser("alice")
        .WithClaim("email", "alice@example.org")
        .WithClaim("groups", new[] { "admins" });

    private FakeTimeProvider _time = null!;
    private FakeOpenIdProvider _op = null!;

    [OneTimeSetUp]
    public void StartProvider()
    {
        // One clock for the OP and the tool, so "valid for" is exact.
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        _op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            TimeProvider = _time,
        });
    }

    [OneTimeTearDown]
    public void StopProvider() => _op.Dispose();

    [Test]
    public async Task RunAsync_ValidJwtAsArgument_ShowsAllPartsAndValidity()
    {
        var token = _op.CreateJwt(Alice);

        var run = await RunAsync([token]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
            Assert.That(run.Stderr, Is.Empty);
            Assert.That(run.Stdout, Does.StartWith("Access token info:\n    {\n"));
            Assert.That(run.Stdout, Does.Contain("\nUser info:\n    {\n"));
            Assert.That(run.Stdout, Does.Contain("\"email\": \"alice@example.org\""));
            Assert.That(run.Stdout, Does.Contain("\nIntrospection info: none, give --client-id and --client-secret to ask the OP.\n"));
            Assert.That(run.LastLine, Is.EqualTo("Your token is valid for 1 hour."));
            Assert.That(run.Stdout, Does.Not.Contain(token), "the token itself is never printed");
        });
    }

    [Test]
    public async Task RunAsync_JwtWithoutTrustOption_TrustsItsOwnIssuerAndAsksOnlyIt()
    {
        // No --trust: the built-in research OPs plus the JWT's own iss; none of the real OPs may be asked.
        var token = _op.CreateJwt(Alice);

        var run = await RunAsync([token, "--userinfo"]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
            Assert.That(run.Stdout, Does.Contain("\"sub\": \"alice\""));
        });
    }

    [Test]
    public async Task RunAsync_OpaqueTokenWithClientCredentials_ShowsIntrospection()
    {
        var token = _op.CreateOpaqueToken(Alice, TimeSpan.FromMinutes(30));

        var run = await RunAsync([token, "--trust", _op.Issuer, "--client-id", ClientId, "--client-secret", ClientSecret]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
            Assert.That(run.Stdout, Does.StartWith("Access token info: none, the token is not a JWT.\n"));
            Assert.That(run.Stdout, Does.Contain("\nUser info:\n    {\n"));
            Assert.That(run.Stdout, Does.Contain("\nIntrospection info:\n    {\n"));
            Assert.That(run.Stdout, Does.Contain("\"active\": true"));
            Assert.That(run.Stdout, Does.Contain("\"client_id\""));
            Assert.That(run.LastLine, Is.EqualTo("Your token is valid for 30 minutes."));
            Assert.That(run.Stdout, Does.Not.Contain(token));
        });
    }

    [Test]
    public async Task RunAsync_OpaqueTokenWithIssuerHint_AsksOnlyTheHintedOp()
    {
        // The built-in list stays trusted, but with a hint no OP is probed: only this one is asked.
        var token = _op.CreateOpaqueToken(Alice);

        var run = await RunAsync([token, "--issuer", _op.Issuer]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
            Assert.That(run.Stdout, Does.Contain("\"email\": \"alice@example.org\""));
            Assert.That(run.LastLine, Does.StartWith("The token's expiry is not known"));
        });
    }

    [Test]
    public async Task RunAsync_Json_PrintsOnlyTheUserInfosJson()
    {
        var token = _op.CreateOpaqueToken(Alice);

        var run = await RunAsync([token, "--json", "--trust", _op.Issuer, "--client-id", ClientId, "--client-secret", ClientSecret]);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "access_token_info", "introspection_info", "user_info" }));
            Assert.That(root.GetProperty("access_token_info").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(root.GetProperty("user_info").GetProperty("sub").GetString(), Is.EqualTo("alice"));
            Assert.That(root.GetProperty("introspection_info").GetProperty("active").GetBoolean(), Is.True);
        });
    }

    [Test]
    public async Task RunAsync_JsonWithOnePart_PrintsOnlyThatMember()
    {
        var token = _op.CreateJwt(Alice);

        var run = await RunAsync([token, "--json", "--access-token"]);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        var info = json.RootElement.GetProperty("access_token_info");
        Assert.Multiple(() =>
        {
            Assert.That(json.RootElement.EnumerateObject().Count(), Is.EqualTo(1));
            Assert.That(info.GetProperty("body").GetProperty("sub").GetString(), Is.EqualTo("alice"));
            Assert.That(info.GetProperty("header").GetProperty("alg").GetString(), Is.EqualTo("RS256"));
            Assert.That(info.GetProperty("verification").GetProperty("algorithm").GetString(), Is.EqualTo("RS256"));
            Assert.That(info.GetProperty("signature").GetString(), Is.EqualTo(token.Split('.')[2]));
        });
    }

    [Test]
    public async Task RunAsync_UserInfoPartOnly_OmitsTheOtherBlocks()
    {
        var token = _op.CreateJwt(Alice);

        var run = await RunAsync([token, "--userinfo"]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
            Assert.That(run.Stdout, Does.StartWith("User info:\n"));
            Assert.That(run.Stdout, Does.Not.Contain("Access token info"));
            Assert.That(run.Stdout, Does.Not.Contain("Introspection info"));
            Assert.That(run.LastLine, Is.EqualTo("Your token is valid for 1 hour."));
        });
    }

    [Test]
    public async Task RunAsync_TokenOnStdin_IsRead()
    {
        var token = _op.CreateJwt(Alice);

        var run = await RunAsync(["-", "--userinfo"], stdin: token + "\n");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
            Assert.That(run.Stdout, Does.Contain("\"sub\": \"alice\""));
        });
    }

    [Test]
    public async Task RunAsync_OpaqueTokenStartingWithDash_IsTakenAsTheToken()
    {
        // Base64url tokens start with '-' one time in 64; they must not be mistaken for options.
        var dashed = MintUntil(() => _op.CreateOpaqueToken(Alice), t => t.StartsWith('-'));

        var run = await RunAsync([dashed, "--trust", _op.Issuer, "--userinfo"]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
            Assert.That(run.Stdout, Does.Contain("\"sub\": \"alice\""));
        });
    }

    [Test]
    public async Task RunAsync_DoubleDashBeforeToken_EndsTheOptions()
    {
        var run = await RunAsync(["--trust", _op.Issuer, "--", "--not-an-option"]);

        Assert.Multiple(() =>
        {
            // Taken as a token, sent to the OP, and refused there.
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Rejected), run.ToString());
            Assert.That(run.Stderr, Does.StartWith("flaat-userinfo: Token rejected: "));
        });
    }

    [TestCase("t\u00f6ken")]
    [TestCase("abc def")]
    [TestCase("a=b")]
    public async Task RunAsync_TokenOutsideTheGrammar_ExitsRejectedWithoutOpCall(string token)
    {
        _op.ResetRequestCounts();

        var run = await RunAsync(["--trust", _op.Issuer, "--", token]);

        Assert.Multiple(() =>
        {
            // Before: HttpClient refused the header and the tool reported an OP outage (exit code 3).
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Rejected), run.ToString());
            Assert.That(run.StderrLines, Is.EqualTo(new[] { $"flaat-userinfo: Token rejected: {TokenGrammar.BadCharacters}" }));
            Assert.That(Enum.GetValues<FakeOpenIdEndpoint>().Sum(_op.RequestCount), Is.Zero);
        });
    }

    [Test]
    public async Task RunAsync_TokenTooLong_ExitsRejected()
    {
        var run = await RunAsync(["--trust", _op.Issuer, new string('a', TokenGrammar.MaxLength + 1)]);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Rejected), run.ToString());
    }

    [TestCase("ACCESS_TOKEN")]
    [TestCase("OIDC_ACCESS_TOKEN")]
    [TestCase("WATTSON_TOKEN")]
    public async Task RunAsync_TokenInEnvironment_IsUsed(string variable)
    {
        var token = _op.CreateJwt(Alice);

        var run = await RunAsync(["--userinfo"], environment: new Hashtable { [variable] = token });

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
            Assert.That(run.Stdout, Does.Contain("\"sub\": \"alice\""));
        });
    }

    [Test]
    public async Task RunAsync_Quiet_PrintsNothingAndExits0()
    {
        var run = await RunAsync([_op.CreateJwt(Alice), "-q"]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
            Assert.That(run.Stdout, Is.Empty);
            Assert.That(run.Stderr, Is.Empty);
        });
    }

    [Test]
    public async Task RunAsync_Verbose_LogsToStderrWithoutTheToken()
    {
        var token = _op.CreateOpaqueToken(Alice);

        var run = await RunAsync([token, "-v", "--trust", _op.Issuer]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
            Assert.That(run.Stderr, Does.Contain("trusted issuers: " + _op.Issuer));
            Assert.That(run.Stdout, Does.StartWith("User: alice@"));
            Assert.That(run.Stderr + run.Stdout, Does.Not.Contain(token));
        });
    }

    [Test]
    public async Task RunAsync_RevokedOpaqueToken_Exits2WithOneLine()
    {
        var token = _op.CreateOpaqueToken(Alice);
        _op.RevokeToken(token);

        var run = await RunAsync([token, "--trust", _op.Issuer]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Rejected), run.ToString());
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stderr, Does.StartWith("flaat-userinfo: Token rejected: "));
            Assert.That(run.Stdout, Is.Empty);
        });
    }

    [Test]
    public async Task RunAsync_JwtFromUntrustedIssuer_Exits2()
    {
        var token = _op.CreateJwt(Alice);

        var run = await RunAsync([token, "--trust", "https://op.invalid/realm"]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Rejected), run.ToString());
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stderr, Does.Contain("Token rejected"));
        });
    }

    [Test]
    public async Task RunAsync_JwtFromPlainHttpIssuer_IsNotTrustedByDefaultAndExits2()
    {
        var token = _op.CreateJwt(Alice, new FakeTokenOptions { Issuer = "http://op.example/realm" });

        var run = await RunAsync([token]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Rejected), run.ToString());
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stderr, Does.StartWith("flaat-userinfo: Token rejected: ").And.Contain("http://op.example/realm"));
        });
    }

    [Test]
    public async Task RunAsync_ExpiredJwt_Exits2()
    {
        var token = _op.CreateJwt(Alice, new FakeTokenOptions { ExpiresAt = _time.GetUtcNow() - TimeSpan.FromHours(1), IssuedAt = _time.GetUtcNow() - TimeSpan.FromHours(2) });

        var run = await RunAsync([token]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Rejected), run.ToString());
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stdout, Is.Empty);
        });
    }

    [Test]
    public async Task RunAsync_IntrospectionActiveButExpiredToken_RejectedAndExits2()
    {
        // The OP still answers (its clock says the token is valid); the tool's clock is 90 minutes
        // later, so the introspection exp has passed by 30 minutes: the engine refuses a token the
        // OP calls active past its own exp, and the tool says so.
        var token = _op.CreateOpaqueToken(Alice, TimeSpan.FromHours(1));
        var later = new FakeTimeProvider(_time.GetUtcNow() + TimeSpan.FromMinutes(90));

        var run = await CliRun.RunAsync(
            [token, "--trust", _op.Issuer, "--client-id", ClientId, "--client-secret", ClientSecret, "--introspection"],
            timeProvider: later);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Rejected), run.ToString());
            Assert.That(run.Stdout, Is.Empty);
            Assert.That(run.Stderr, Does.StartWith("flaat-userinfo: Token rejected: ").And.Contain("reports the token as active but expired"));
        });
    }

    [Test]
    public async Task RunAsync_OpUnreachable_Exits3WithOneLine()
    {
        await using var down = FakeOpenIdProvider.Start();
        var token = down.CreateOpaqueToken(Alice);
        down.SimulateUnreachable();

        var run = await CliRun.RunAsync([token, "--issuer", down.Issuer, "--trust", down.Issuer]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error), run.ToString());
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stderr, Does.StartWith("flaat-userinfo: "));
            Assert.That(run.Stderr, Does.Not.Contain("Token rejected"));
            Assert.That(run.Stdout, Is.Empty);
        });
    }

    [Test]
    public async Task RunAsync_OpAnswers500_Exits3NotRejected()
    {
        await using var failing = FakeOpenIdProvider.Start();
        var token = failing.CreateJwt(Alice);
        failing.SimulateServerErrors();

        var run = await CliRun.RunAsync([token, "--trust", failing.Issuer]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error), run.ToString());
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stdout, Is.Empty);
        });
    }

    private static string MintUntil(Func<string> mint, Func<string, bool> wanted)
    {
        while (true)
        {
            var token = mint();
            if (wanted(token))
            {
                return token;
            }
        }
    }

    private Task<CliRun> RunAsync(string[] args, string stdin = "", IDictionary? environment = null) =>
        CliRun.RunAsync(args, stdin, environment, _time);
}
