using System.Text.Json;
using Flaat.Cli;
using Flaat.Tests.Cli;

namespace Flaat.Tests.EndToEnd;

/// <summary>The flaat-userinfo tool against a real OP.</summary>
[Category("EndToEnd")]
public sealed class FlaatUserInfoEndToEndTests
{
    [Test]
    public async Task Run_OpaqueTokenWithClientCredentials_ShowsAllThreePartsAndValidity()
    {
        var op = await OidcProviders.TrustedAsync();
        var token = await op.Client.GetOpaqueTokenAsync(OidcProviderFixture.Alice);

        var run = await CliRun.RunAsync(WithCredentials(token, "--trust", op.Issuer));

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.Stderr);
            Assert.That(run.Stdout, Does.Contain("Access token info: none, the token is not a JWT."));
            Assert.That(run.Stdout, Does.Contain("User info:"));
            Assert.That(run.Stdout, Does.Contain("\"groups\""));
            Assert.That(run.Stdout, Does.Contain("Introspection info:"));
            Assert.That(run.Stdout, Does.Contain("\"active\": true"));
            Assert.That(run.LastLine, Does.StartWith("Your token is valid for "));
        });
    }

    [Test]
    public async Task Run_OpaqueTokenAsJsonWithIssuerHint_PrintsUserInfosJson()
    {
        var op = await OidcProviders.TrustedAsync();
        var token = await op.Client.GetOpaqueTokenAsync(OidcProviderFixture.Bob);

        var run = await CliRun.RunAsync(WithCredentials(token, "--issuer", op.Issuer, "--json"));

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("access_token_info").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(root.GetProperty("user_info").GetProperty("sub").GetString(), Is.EqualTo(OidcProviderFixture.Bob));
            Assert.That(root.GetProperty("user_info").GetProperty("iss").GetString(), Is.EqualTo(op.Issuer));
            Assert.That(root.GetProperty("introspection_info").GetProperty("client_id").GetString(), Is.EqualTo(OidcProviderFixture.AppClientId));
        });
    }

    [Test]
    public async Task Run_ExpiredOpaqueToken_ExitsRejected()
    {
        var expired = await OidcProviders.ExpiredTokensAsync();

        var run = await CliRun.RunAsync(WithCredentials(expired.Opaque, "--trust", expired.Op.Issuer));

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Rejected));
            Assert.That(run.StderrLines, Has.Length.EqualTo(1));
            Assert.That(run.Stderr, Does.StartWith("flaat-userinfo: Token rejected"));
        });
    }

    [Test]
    public async Task Run_JwtFromUntrustedOp_ExitsRejectedNamingTheIssuer()
    {
        var trusted = await OidcProviders.TrustedAsync();
        var untrusted = await OidcProviders.UntrustedAsync();
        var token = await untrusted.Client.GetJwtAsync(OidcProviderFixture.Alice);

        var run = await CliRun.RunAsync(WithCredentials(token, "--trust", trusted.Issuer));

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Rejected));
            Assert.That(run.Stderr, Does.Contain("not trusted").And.Contain(untrusted.Issuer));
        });
    }

    private static string[] WithCredentials(string token, params string[] args) =>
        [token, .. args, "--client-id", OidcProviderFixture.ApiClientId, "--client-secret", OidcProviderFixture.ApiClientSecret];
}
