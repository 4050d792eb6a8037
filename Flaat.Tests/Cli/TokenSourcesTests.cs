using System.Collections;
using System.Text;
using Flaat.Cli;

namespace Flaat.Tests.Cli;

public sealed class TokenSourcesTests
{
    [Test]
    public async Task ReadAsync_Argument_WinsOverEnvironment()
    {
        var token = await TokenSources.ReadAsync("from-argument", TextReader.Null, new Hashtable { ["ACCESS_TOKEN"] = "from-env" }, CancellationToken.None);

        Assert.That(token, Is.EqualTo("from-argument"));
    }

    [Test]
    public async Task ReadAsync_Dash_ReadsStdinTrimmed()
    {
        var token = await TokenSources.ReadAsync("-", new StringReader("  from-stdin\n"), new Hashtable(), CancellationToken.None);

        Assert.That(token, Is.EqualTo("from-stdin"));
    }

    [Test]
    public async Task ReadAsync_SeveralVariables_TakesFlaatsOrderSkippingEmptyOnes()
    {
        var environment = new Hashtable { ["ACCESS_TOKEN"] = "", ["WATTSON_TOKEN"] = "last", ["OIDC_ACCESS_TOKEN"] = "fourth" };

        var token = await TokenSources.ReadAsync(null, TextReader.Null, environment, CancellationToken.None);

        Assert.That(token, Is.EqualTo("fourth"));
    }

    [Test]
    public void PeekJwtIssuer_Jwt_ReturnsIss()
    {
        var token = Part("""{"alg":"none"}""") + "." + Part("""{"iss":"https://op.example/realm","sub":"a"}""") + ".c2ln";

        Assert.That(TokenSources.PeekJwtIssuer(token), Is.EqualTo("https://op.example/realm"));
    }

    [TestCase("opaque-token")]
    [TestCase("a.b")]
    [TestCase("a.!!!.c")]
    [TestCase("eyJhbGciOiJub25lIn0.WzFd.c2ln")] // the body is a JSON array
    [TestCase("eyJhbGciOiJub25lIn0.eyJpc3MiOiJcdWQ4MDAifQ.c2ln")] // iss is a lone surrogate, "\ud800"
    [TestCase("eyJ0eXAiOiJKV1QifQ.eyJpc3MiOiJodHRwczovL29wLmV4YW1wbGUifQ.c2ln")] // header {"typ":"JWT"}: no alg, so not a JWT
    public void PeekJwtIssuer_NotAJwtWithIss_ReturnsNull(string token)
    {
        Assert.That(TokenSources.PeekJwtIssuer(token), Is.Null);
    }

    private static string Part(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
