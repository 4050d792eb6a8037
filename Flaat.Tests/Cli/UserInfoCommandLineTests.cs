using System.Collections;
using Flaat.Cli;

namespace Flaat.Tests.Cli;

/// <summary>Runs that end before any OP is asked: help, bad options, no token.</summary>
public sealed class UserInfoCommandLineTests
{
    [TestCase("--trust", "not-a-url", "--trust")]
    [TestCase("--issuer", "ftp://op.example", "--issuer")]
    [TestCase("--trust", "http://op.example", "--trust")]
    public async Task RunAsync_BadUrlOption_Exits3WithOneLineNamingTheOption(string option, string value, string named)
    {
        var run = await CliRun.RunAsync([option, value, "some-token"]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error));
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stderr, Does.StartWith("flaat-userinfo: " + named + ": '" + value + "'"));
            Assert.That(run.Stdout, Is.Empty);
        });
    }

    [TestCase("--no-such-option")]
    [TestCase("-x")]
    [TestCase("-qv")]
    public async Task RunAsync_UnknownOption_Exits3AndNamesIt(string option)
    {
        var run = await CliRun.RunAsync([option]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error));
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stderr, Does.Contain("'" + option + "'"));
            Assert.That(run.Stderr, Does.Contain("--help"));
        });
    }

    [TestCase(new[] { "-q", "-v", "token" }, "--quiet and --verbose")]
    [TestCase(new[] { "-q", "--json", "token" }, "--quiet and --json")]
    [TestCase(new[] { "--client-secret", "s", "token" }, "--client-secret needs --client-id")]
    public async Task RunAsync_ConflictingOptions_Exits3WithClearMessage(string[] args, string message)
    {
        var run = await CliRun.RunAsync(args);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error));
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stderr, Does.Contain(message));
        });
    }

    [Test]
    public async Task RunAsync_OptionWithoutValue_Exits3()
    {
        var run = await CliRun.RunAsync(["--issuer"]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error));
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stderr, Does.Contain("--issuer"));
        });
    }

    [Test]
    public async Task RunAsync_TwoTokens_Exits3()
    {
        var run = await CliRun.RunAsync(["token-one", "token-two"]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error));
            Assert.That(run.Stderr, Does.Contain("token-two"));
        });
    }

    [Test]
    public async Task RunAsync_NoTokenAnywhere_Exits1AndListsWhereItLooked()
    {
        var run = await CliRun.RunAsync([]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.NoToken));
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stderr, Does.Contain("ACCESS_TOKEN").And.Contain("WATTSON_TOKEN").And.Contain("'-'"));
            Assert.That(run.Stdout, Is.Empty);
        });
    }

    [Test]
    public async Task RunAsync_EmptyStdinAndBlankEnvironment_Exits1()
    {
        var run = await CliRun.RunAsync(["-"], stdin: "  \n", environment: new Hashtable { ["ACCESS_TOKEN"] = " " });

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.NoToken));
    }

    [Test]
    public async Task RunAsync_Help_PrintsUsageWithEveryOptionAndExits0()
    {
        var run = await CliRun.RunAsync(["--help"]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid));
            Assert.That(run.Stdout, Does.Contain("flaat-userinfo"));
            foreach (var option in new[]
                     {
                         "--issuer", "--trust", "--client-id", "--client-secret", "--skip-jwt-verify", "--access-token",
                         "--userinfo", "--introspection", "--json", "-q", "-v",
                         "--oidc-agent-account", "--oidc-agent-min-lifetime", "--oidc-agent-scope", "--timeout",
                     })
            {
                Assert.That(run.Stdout, Does.Contain(option));
            }

            Assert.That(run.Stderr, Is.Empty);
        });
    }
}
