using System.Text.Json.Nodes;
using Flaat.AspNetCore;
using Microsoft.AspNetCore.Http;

namespace Flaat.Tests.AspNetCore;

public sealed class FlaatResponseWriterTests
{
    private static async Task<(HttpResponse Response, string Body)> WriteAsync(FlaatError error, bool tokenPresented)
    {
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;
        await FlaatResponseWriter.WriteErrorAsync(context.Response, error, tokenPresented);

        // The writer leaves the response open (another scheme may still challenge); the server completes it.
        await context.Response.CompleteAsync();
        return (context.Response, System.Text.Encoding.UTF8.GetString(body.ToArray()));
    }

    [Test]
    public async Task WriteErrorAsync_Forbidden_WritesStatusBodyAndInsufficientScope()
    {
        var error = FlaatError.Forbidden("User a@b does not meet requirements", JsonValue.Create("Claim 'groups' is not available"));

        var (response, body) = await WriteAsync(error, tokenPresented: true);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(403));
            Assert.That(response.ContentType, Is.EqualTo("application/json"));
            Assert.That(response.Headers.CacheControl.ToString(), Is.EqualTo("no-store"));
            Assert.That(response.Headers.WWWAuthenticate.ToString(), Is.EqualTo("Bearer error=\"insufficient_scope\", error_description=\"User a@b does not meet requirements\""));
            Assert.That(body, Is.EqualTo("""{"error":"Forbidden","error_description":"User a@b does not meet requirements","error_details":"Claim \u0027groups\u0027 is not available"}"""));
        });
    }

    [Test]
    public async Task WriteErrorAsync_UnauthenticatedWithoutToken_SendsBareBearer()
    {
        var (response, _) = await WriteAsync(FlaatError.Unauthenticated("No authorization header"), tokenPresented: false);

        Assert.That(response.Headers.WWWAuthenticate.ToString(), Is.EqualTo("Bearer"));
    }

    [Test]
    public async Task WriteErrorAsync_DescriptionWithQuotesAndNonAscii_IsQuotableInTheHeader()
    {
        var (response, body) = await WriteAsync(FlaatError.Unauthenticated("Issuer \"x\\y\" is not trusted: https://ü.test\n"), tokenPresented: true);

        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.WWWAuthenticate.ToString(), Is.EqualTo("Bearer error=\"invalid_token\", error_description=\"Issuer 'x/y' is not trusted: https://?.test?\""));
            Assert.That(body, Does.Contain("\\u00FC"), "the body keeps the description intact");
        });
    }

    [Test]
    public async Task WriteErrorAsync_LongDescription_HeaderIsTruncated()
    {
        var (response, body) = await WriteAsync(FlaatError.Unauthenticated(new string('x', 1000)), tokenPresented: true);

        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.WWWAuthenticate.ToString(), Has.Length.LessThan(320));
            Assert.That(body, Does.Contain(new string('x', 1000)));
        });
    }

    [TestCase(0.2, "1")]
    [TestCase(30, "30")]
    [TestCase(30.5, "31")]
    public async Task WriteErrorAsync_Unavailable_SendsRetryAfterInWholeSecondsAndNoChallenge(double seconds, string expected)
    {
        var (response, _) = await WriteAsync(FlaatError.Unavailable("OP down", TimeSpan.FromSeconds(seconds)), tokenPresented: true);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(503));
            Assert.That(response.Headers.RetryAfter.ToString(), Is.EqualTo(expected));
            Assert.That(response.Headers.WWWAuthenticate.Count, Is.Zero);
        });
    }

    [Test]
    public async Task WriteErrorAsync_Internal_NoChallengeNoRetryAfter()
    {
        var (response, body) = await WriteAsync(FlaatError.Internal("Issuer configuration unavailable"), tokenPresented: true);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(500));
            Assert.That(response.Headers.WWWAuthenticate.Count, Is.Zero);
            Assert.That(response.Headers.RetryAfter.Count, Is.Zero);
            Assert.That(body, Is.EqualTo("""{"error":"Error","error_description":"Issuer configuration unavailable"}"""));
        });
    }

    [TestCase(true)]
    [TestCase(false)]
    public void GetChallenge_401WithChallengeError_UsesThatCode(bool tokenPresented)
    {
        var error = new FlaatError(401, "Unauthenticated", "The request carries more than one authorization header") { ChallengeError = "invalid_request" };

        var challenge = FlaatResponseWriter.GetChallenge(error, tokenPresented);

        Assert.That(challenge, Is.EqualTo("Bearer error=\"invalid_request\", error_description=\"The request carries more than one authorization header\""));
    }

    [Test]
    public void GetChallenge_403WithChallengeError_StaysInsufficientScope()
    {
        var error = new FlaatError(403, "Forbidden", "no") { ChallengeError = "invalid_request" };

        Assert.That(FlaatResponseWriter.GetChallenge(error, tokenPresented: true), Does.StartWith("Bearer error=\"insufficient_scope\""));
    }

    [TestCase(401, true, "DPoP error=\"invalid_token\", error_description=\"bad proof\"")]
    [TestCase(401, false, "DPoP")]
    [TestCase(403, true, "DPoP error=\"insufficient_scope\", error_description=\"bad proof\"")]
    public void GetChallenge_ErrorNamesAnotherScheme_ChallengesInThatScheme(int status, bool tokenPresented, string expected)
    {
        var error = new FlaatError(status, "x", "bad proof") { ChallengeScheme = "DPoP" };

        Assert.That(FlaatResponseWriter.GetChallenge(error, tokenPresented), Is.EqualTo(expected));
    }
}
