using System.Text;
using System.Text.Json;
using Flaat.Cli;

namespace Flaat.Tests.Cli;

/// <summary>The oidc-agent client's request and its reading of the agent's answers, without a socket.</summary>
public sealed class OidcAgentTests
{
    [Test]
    public void ToJson_AllMembers_AsTheApiDocumentsThem()
    {
        var request = new OidcAgentRequest("alice", TimeSpan.FromSeconds(59.5), "openid \"quoted\"");

        using var json = JsonDocument.Parse(request.ToJson());

        Assert.That(
            json.RootElement.GetRawText(),
            Is.EqualTo("{\"request\":\"access_token\",\"account\":\"alice\",\"min_valid_period\":60,\"scope\":\"openid \\u0022quoted\\u0022\",\"application_hint\":\"flaat-userinfo\"}"));
    }

    [Test]
    public void ParseAnswer_Success_ReadsTokenIssuerAndExpiry()
    {
        var token = OidcAgent.ParseAnswer("{\"status\":\"success\",\"access_token\":\"abc\",\"issuer\":\"https://op.example/\",\"expires_at\":1900000000}"u8);

        Assert.Multiple(() =>
        {
            Assert.That(token.AccessToken, Is.EqualTo("abc"));
            Assert.That(token.Issuer, Is.EqualTo("https://op.example/"));
            Assert.That(token.ExpiresAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1_900_000_000)));
            Assert.That(token.ToString(), Does.Not.Contain("abc"), "ToString never shows the token");
        });
    }

    [TestCase("{\"status\":\"success\",\"access_token\":\"t\",\"issuer\":42,\"expires_at\":\"soon\"}")]
    [TestCase("{\"status\":\"success\",\"access_token\":\"t\",\"issuer\":\"https://op.example/\\u001b[2J\",\"expires_at\":-5}")]
    [TestCase("{\"status\":\"success\",\"access_token\":\"t\",\"expires_at\":1e300}")]
    public void ParseAnswer_OptionalMembersOfTheWrongKind_AreDropped(string answer)
    {
        var token = OidcAgent.ParseAnswer(Encoding.UTF8.GetBytes(answer));

        Assert.Multiple(() =>
        {
            Assert.That(token.AccessToken, Is.EqualTo("t"));
            Assert.That(token.Issuer, Is.Null);
            Assert.That(token.ExpiresAt, Is.Null);
        });
    }

    [Test]
    public void ParseAnswer_LongAgentText_IsCutToOneShortLine()
    {
        var answer = FakeOidcAgent.Failure(new string('x', 10_000) + "\n", "\u202eevil\r\ninfo");

        var error = Assert.Throws<OidcAgentException>(() => OidcAgent.ParseAnswer(answer))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Has.Length.LessThan(700));
            Assert.That(error.Message, Does.Contain("x…"));
            Assert.That(error.Message, Does.Contain("(evil info)."));
            Assert.That(error.Message.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format), Is.False);
        });
    }

    [Test]
    public void ParseAnswer_HostileAnswers_NeverThrowAnythingElseNorShowTheToken()
    {
        var random = new Random(4_16);
        var answers = HostileAnswers.Generate(random, 5_000, "https://op.example");
        var refused = 0;
        foreach (var answer in answers)
        {
            try
            {
                var token = OidcAgent.ParseAnswer(answer);
                Assert.That(token.AccessToken, Is.Not.Empty, Encoding.UTF8.GetString(answer));
            }
            catch (OidcAgentException e)
            {
                refused++;
                Assert.That(e.Message, Does.Not.Contain(HostileAnswers.Secret), Encoding.UTF8.GetString(answer));
                Assert.That(e.Message.Any(char.IsControl), Is.False, Encoding.UTF8.GetString(answer));
            }
        }

        Assert.That(refused, Is.GreaterThan(2_500), "most hostile answers are refused");
    }
}
