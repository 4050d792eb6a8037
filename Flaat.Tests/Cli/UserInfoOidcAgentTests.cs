using System.Collections;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Flaat.Cli;
using Flaat.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Cli;

/// <summary>
/// flaat-userinfo --oidc-agent-account against a fake oidc-agent on a real UNIX domain socket and
/// the fake OP: the request it sends, what it does with the agent's answers, and its time limit.
/// </summary>
public sealed class UserInfoOidcAgentTests
{
    private static readonly FakeUser Alice = new FakeUser("alice").WithClaim("email", "alice@example.org");

    private FakeOpenIdProvider _op = null!;

    [OneTimeSetUp]
    public void StartProvider() => _op = FakeOpenIdProvider.Start();

    [OneTimeTearDown]
    public void StopProvider() => _op.Dispose();

    [Test]
    public async Task RunAsync_AgentGivesJwt_VerifiesItAtTheOpWithoutPrintingIt()
    {
        await using var agent = FakeOidcAgent.Start();
        var token = _op.CreateJwt(Alice);
        agent.Answer = _ => FakeOidcAgent.Success(token, _op.Issuer, DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());

        var run = await RunAsync(agent.Environment, "--oidc-agent-account", "alice", "--trust", _op.Issuer);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
            Assert.That(run.Stderr, Is.Empty);
            Assert.That(run.Stdout, Does.Contain("\"email\": \"alice@example.org\""));
            Assert.That(run.LastLine, Does.StartWith("Your token is valid for"));
            Assert.That(run.Stdout, Does.Not.Contain(token));
            Assert.That(agent.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task RunAsync_AgentRequest_CarriesAccountLifetimeScopeAndHint()
    {
        await using var agent = FakeOidcAgent.Start();
        agent.Answer = _ => FakeOidcAgent.Success(_op.CreateJwt(Alice), _op.Issuer);

        var run = await RunAsync(
            agent.Environment,
            "--oidc-agent-account", "my account",
            "--oidc-agent-min-lifetime", "5m",
            "--oidc-agent-scope", "openid profile storage.read:/",
            "--trust", _op.Issuer);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
        var request = agent.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.GetProperty("request").GetString(), Is.EqualTo("access_token"));
            Assert.That(request.GetProperty("account").GetString(), Is.EqualTo("my account"));
            Assert.That(request.GetProperty("min_valid_period").ValueKind, Is.EqualTo(JsonValueKind.Number));
            Assert.That(request.GetProperty("min_valid_period").GetInt64(), Is.EqualTo(300));
            Assert.That(request.GetProperty("scope").GetString(), Is.EqualTo("openid profile storage.read:/"));
            Assert.That(request.GetProperty("application_hint").GetString(), Is.EqualTo("flaat-userinfo"));
        });
    }

    [Test]
    public async Task RunAsync_AgentRequestWithoutOptions_HoldsOnlyTheRequiredMembers()
    {
        await using var agent = FakeOidcAgent.Start();
        agent.Answer = _ => FakeOidcAgent.Success(_op.CreateJwt(Alice), _op.Issuer);

        await RunAsync(agent.Environment, "--oidc-agent-account", "alice", "--trust", _op.Issuer);

        var members = agent.Requests.Single().EnumerateObject().Select(member => member.Name);
        Assert.That(members, Is.EquivalentTo(new[] { "request", "account", "application_hint" }));
    }

    [Test]
    public async Task RunAsync_AgentNamesATrustedIssuer_ItIsTheHintAndNoOtherOpIsProbed()
    {
        await using var other = FakeOpenIdProvider.Start();
        await using var agent = FakeOidcAgent.Start();
        var token = _op.CreateOpaqueToken(Alice);
        agent.Answer = _ => FakeOidcAgent.Success(token, _op.Issuer);

        var run = await RunAsync(agent.Environment, "--oidc-agent-account", "alice", "--trust", other.Issuer, "--trust", _op.Issuer);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
            Assert.That(run.Stdout, Does.Contain("\"email\": \"alice@example.org\""));
            Assert.That(TotalRequests(other), Is.Zero, "with the agent's issuer as the hint, the other trusted OP is not probed");
        });
    }

    [Test]
    public async Task RunAsync_AgentNamesAnUntrustedIssuer_ItIsNeitherTrustedNorAsked()
    {
        // The agent (or whoever set OIDC_SOCK) names an OP that would accept the token; it was never trusted.
        await using var untrusted = FakeOpenIdProvider.Start();
        await using var agent = FakeOidcAgent.Start();
        var token = untrusted.CreateOpaqueToken(Alice);
        agent.Answer = _ => FakeOidcAgent.Success(token, untrusted.Issuer);

        var run = await RunAsync(agent.Environment, "--oidc-agent-account", "alice", "--trust", _op.Issuer, "--verbose");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Rejected), run.ToString());
            Assert.That(TotalRequests(untrusted), Is.Zero);
            Assert.That(run.Stderr, Does.Contain($"oidc-agent names the issuer {untrusted.Issuer}, which is not trusted"));
            Assert.That(run.Stdout + run.Stderr, Does.Not.Contain(token));
        });
    }

    [Test]
    public async Task RunAsync_Verbose_SaysWhereTheTokenCameFromWithoutShowingIt()
    {
        await using var agent = FakeOidcAgent.Start();
        var token = _op.CreateOpaqueToken(Alice);
        agent.Answer = _ => FakeOidcAgent.Success(token, _op.Issuer, 1_900_000_000);

        var run = await RunAsync(agent.Environment, "--oidc-agent-account", "alice", "--trust", _op.Issuer, "--verbose");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
            Assert.That(run.Stderr, Does.Contain($"oidc-agent: token from {_op.Issuer}, expires 2030-03-17 17:46:40Z"));
            Assert.That(run.Stdout + run.Stderr, Does.Not.Contain(token));
        });
    }

    [Test]
    public async Task RunAsync_AnswerInPiecesOnAConnectionKeptOpen_IsReadWhenComplete()
    {
        // The agent sends no length and need not close: the answer's end is where its JSON ends.
        await using var agent = FakeOidcAgent.Start();
        agent.AnswerInPieces = true;
        agent.CloseAfterAnswer = false;
        agent.Answer = _ => FakeOidcAgent.Success(_op.CreateJwt(Alice), _op.Issuer);

        var run = await RunAsync(agent.Environment, "--oidc-agent-account", "alice", "--trust", _op.Issuer, "--timeout", "20s");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
    }

    [Test]
    public async Task RunAsync_AgentFailure_Exits3WithTheAgentsWords()
    {
        await using var agent = FakeOidcAgent.Start();
        agent.Answer = _ => FakeOidcAgent.Failure("account not loaded", "Load the account first with 'oidc-add alice'.\n\u001b[31mred");

        var run = await RunAsync(agent.Environment, "--oidc-agent-account", "alice", "--trust", _op.Issuer);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error), run.ToString());
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(
                run.Stderr,
                Does.StartWith("flaat-userinfo: oidc-agent: the agent refused: account not loaded (Load the account first with 'oidc-add alice'."));
            Assert.That(run.Stderr.Contains('\u001b', StringComparison.Ordinal), Is.False, "no terminal escape from the agent reaches the terminal");
            Assert.That(run.Stdout, Is.Empty);
        });
    }

    [TestCase("", "the agent closed the connection without answering")]
    [TestCase("not json", "the agent's answer is not JSON")]
    [TestCase("{\"status\":\"success\",", "it ends in the middle")]
    [TestCase("[1, 2, 3]", "is not a JSON object")]
    [TestCase("\"success\"", "is not a JSON object")]
    [TestCase("{}", "has no status")]
    [TestCase("{\"status\":\"accepted\"}", "unknown status 'accepted'")]
    [TestCase("{\"status\":\"success\"}", "sent no access token")]
    [TestCase("{\"status\":\"success\",\"access_token\":42}", "sent no access token")]
    [TestCase("{\"status\":\"success\",\"access_token\":\"\"}", "sent no access token")]
    [TestCase("{\"status\":\"failure\",\"status\":\"success\",\"access_token\":\"t\"}", "not valid JSON")]
    [TestCase("{\"status\":\"failure\"}", "the agent refused: no reason given.")]
    [TestCase("{\"status\":\"success\",\"access_token\":\"t\",}", "not valid JSON")]
    public async Task RunAsync_MalformedAnswer_Exits3WithOneClearLine(string answer, string message)
    {
        await using var agent = FakeOidcAgent.Start();
        agent.Answer = _ => Encoding.UTF8.GetBytes(answer);

        var run = await RunAsync(agent.Environment, "--oidc-agent-account", "alice", "--trust", _op.Issuer);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error), run.ToString());
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stderr, Does.StartWith("flaat-userinfo: oidc-agent: "));
            Assert.That(run.Stderr, Does.Contain(message));
        });
    }

    [Test]
    public async Task RunAsync_OversizedAnswer_IsCutOffAt1MiB()
    {
        await using var agent = FakeOidcAgent.Start();
        agent.CloseAfterAnswer = false;
        agent.Answer = _ => FakeOidcAgent.Success(new string('a', 2 * OidcAgent.MaxAnswerBytes), _op.Issuer);

        var run = await RunAsync(agent.Environment, "--oidc-agent-account", "alice", "--trust", _op.Issuer);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error), run.ToString());
            Assert.That(run.Stderr, Is.EqualTo("flaat-userinfo: oidc-agent: the agent's answer is larger than 1 MiB.\n"));
        });
    }

    [Test]
    public async Task RunAsync_TokenOfTheWrongShape_IsRejectedWithoutOpCall()
    {
        await using var agent = FakeOidcAgent.Start();
        agent.Answer = _ => FakeOidcAgent.Success("two words", _op.Issuer);
        _op.ResetRequestCounts();

        var run = await RunAsync(agent.Environment, "--oidc-agent-account", "alice", "--trust", _op.Issuer);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Rejected), run.ToString());
            Assert.That(run.Stderr, Does.StartWith("flaat-userinfo: Token rejected:"));
            Assert.That(TotalRequests(_op), Is.Zero);
        });
    }

    [Test]
    public async Task RunAsync_AgentNeverAnswers_TimesOutWithAClearError()
    {
        await using var agent = FakeOidcAgent.Start();
        agent.Answer = _ => null;
        var time = new FakeTimeProvider();

        var running = CliRun.RunAsync(["--oidc-agent-account", "alice", "--trust", _op.Issuer], environment: agent.Environment, timeProvider: time);
        await agent.RequestReceived.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(UserInfoCommandLine.DefaultTimeout);
        var run = await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error), run.ToString());
            Assert.That(run.Stderr, Is.EqualTo("flaat-userinfo: Timed out: oidc-agent did not answer within 30 seconds (--timeout).\n"));
        });
    }

    [Test]
    public async Task RunAsync_OpTooSlowForTheTimeout_TimesOutWithAClearError()
    {
        await using var slow = FakeOpenIdProvider.Start();
        await using var agent = FakeOidcAgent.Start();
        agent.Answer = _ => FakeOidcAgent.Success(slow.CreateOpaqueToken(Alice), slow.Issuer);
        slow.SimulateSlow(TimeSpan.FromMinutes(5), FakeOpenIdEndpoint.UserInfo);
        var time = new FakeTimeProvider();

        // 1 s, below the engine's own 1.2 s per request: the time limit, not the OP call's, ends the run.
        var running = CliRun.RunAsync(
            ["--oidc-agent-account", "alice", "--trust", slow.Issuer, "--timeout", "1s"], environment: agent.Environment, timeProvider: time);
        await WaitUntilAsync(() => slow.RequestCount(FakeOpenIdEndpoint.UserInfo) > 0);
        time.Advance(TimeSpan.FromSeconds(1));
        var run = await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error), run.ToString());
            Assert.That(run.Stderr, Is.EqualTo("flaat-userinfo: Timed out: no answer from the OP within 1 second (--timeout).\n"));
        });
    }

    [Test]
    public async Task RunAsync_OidcSockUnset_Exits3SayingHowToStartTheAgent()
    {
        var run = await RunAsync(new Hashtable { ["ACCESS_TOKEN"] = "ignored" }, "--oidc-agent-account", "alice");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error), run.ToString());
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stderr, Does.StartWith("flaat-userinfo: oidc-agent: OIDC_SOCK is not set"));
        });
    }

    [Test]
    public async Task RunAsync_NoSuchSocket_Exits3NamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "flaat-no-agent-" + Guid.NewGuid().ToString("N")[..8]);

        var run = await RunAsync(new Hashtable { [OidcAgent.SocketVariable] = path }, "--oidc-agent-account", "alice");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error), run.ToString());
            Assert.That(run.Stderr, Does.StartWith($"flaat-userinfo: oidc-agent: cannot reach the agent at OIDC_SOCK ('{path}'): there is no such socket."));
        });
    }

    [Test]
    public async Task RunAsync_StaleSocket_Exits3SayingNobodyListens()
    {
        // The socket file of an agent that has ended: it exists, but connecting is refused.
        var folder = Directory.CreateTempSubdirectory("flaat-stale-");
        try
        {
            var path = Path.Combine(folder.FullName, "agent.sock");
            using (var ended = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                // .NET removes the file of a socket it bound when the socket is closed; the moved file stays, as a crashed agent's does.
                ended.Bind(new UnixDomainSocketEndPoint(path + ".bound"));
                File.Move(path + ".bound", path);
            }

            var run = await RunAsync(new Hashtable { [OidcAgent.SocketVariable] = path }, "--oidc-agent-account", "alice");

            Assert.Multiple(() =>
            {
                Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error), run.ToString());
                Assert.That(run.Stderr, Does.Contain("nobody listens on it"));
            });
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [TestCase(new[] { "--oidc-agent-account", "alice", "token" }, "--oidc-agent-account and a token argument cannot be used together")]
    [TestCase(new[] { "--oidc-agent-account", "alice", "-" }, "--oidc-agent-account and a token argument cannot be used together")]
    [TestCase(new[] { "--oidc-agent-account", " " }, "--oidc-agent-account: give the account's short name")]
    [TestCase(new[] { "--oidc-agent-min-lifetime", "60", "token" }, "--oidc-agent-min-lifetime needs --oidc-agent-account")]
    [TestCase(new[] { "--oidc-agent-scope", "openid", "token" }, "--oidc-agent-scope needs --oidc-agent-account")]
    [TestCase(new[] { "--oidc-agent-account", "a", "--oidc-agent-min-lifetime", "soon" }, "--oidc-agent-min-lifetime: 'soon' is not a duration")]
    [TestCase(new[] { "--oidc-agent-account", "a", "--oidc-agent-min-lifetime", "2d" }, "--oidc-agent-min-lifetime: '2d' is not a duration at most a day")]
    [TestCase(new[] { "--timeout", "0", "token" }, "--timeout: '0' is not a duration above zero")]
    [TestCase(new[] { "--timeout", "-5", "token" }, "--timeout: '-5' is not a duration")]
    public async Task RunAsync_BadAgentOptions_Exits3BeforeAskingTheAgent(string[] args, string message)
    {
        await using var agent = FakeOidcAgent.Start();

        var run = await RunAsync(agent.Environment, args);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error), run.ToString());
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stderr, Does.Contain(message));
            Assert.That(agent.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task RunAsync_HostileAnswers_AlwaysOneClearLineNeverACrashNorTheToken()
    {
        // Many hostile answers on the real socket; the parser's own property test covers many more.
        await using var agent = FakeOidcAgent.Start();
        var answers = HostileAnswers.Generate(new Random(16_04), 60, _op.Issuer).ToArray();
        var next = -1;
        agent.Answer = _ => answers[Interlocked.Increment(ref next)];

        var checkedAtTheOp = 0;
        foreach (var answer in answers)
        {
            var run = await RunAsync(agent.Environment, "--oidc-agent-account", "alice", "--trust", _op.Issuer, "--timeout", "20s");
            checkedAtTheOp += run.ExitCode == ExitCodes.Rejected ? 1 : 0;

            var shown = Encoding.UTF8.GetString(answer);
            Assert.Multiple(() =>
            {
                Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Rejected).Or.EqualTo(ExitCodes.Error), $"{shown}\n{run}");
                Assert.That(run.StderrLines, Has.Length.EqualTo(1), $"{shown}\n{run}");
                Assert.That(run.Stderr, Does.Not.Contain("Unexpected"), $"{shown}\n{run}");
                Assert.That(run.Stderr, Does.Not.Contain(HostileAnswers.Secret), $"{shown}\n{run}");
                Assert.That(run.Stdout, Is.Empty, $"{shown}\n{run}");
            });
        }

        Assert.That(checkedAtTheOp, Is.GreaterThan(0), "some hostile tokens got as far as the check, and were rejected there");
    }

    private static Task<CliRun> RunAsync(IDictionary environment, params string[] args) => CliRun.RunAsync(args, environment: environment);

    private static int TotalRequests(FakeOpenIdProvider op) =>
        Enum.GetValues<FakeOpenIdEndpoint>().Sum(op.RequestCount);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
