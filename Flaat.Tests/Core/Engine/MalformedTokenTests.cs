using Flaat.Engine;
using Flaat.Testing;

namespace Flaat.Tests.Core.Engine;

/// <summary>
/// The engine's own guard (for callers that skip the adapters: workers, the CLI, GetUserInfosAsync):
/// a token outside RFC 6750's b64token or longer than the limit is a 401, before any OP is asked.
/// </summary>
public sealed class MalformedTokenTests
{
    private static readonly string[] Malformed =
    [
        "t\u00f6ken",
        "\u00e9\u00e9\u00e9\u00e9",
        "abc\u20acdef",
        "abc def",
        "abc\r\nX-Injected: 1",
        "a=b",
        "a,b",
    ];

    private static int AllRequests(FakeOpenIdProvider op) => Enum.GetValues<FakeOpenIdEndpoint>().Sum(op.RequestCount);

    [TestCaseSource(nameof(Malformed))]
    public async Task AuthenticateAsync_TokenOutsideTheGrammar_401InvalidTokenWithoutOpCall(string token)
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(result.Error!.Description, Is.EqualTo(TokenGrammar.BadCharacters));
            Assert.That(result.Error.ChallengeError, Is.EqualTo("invalid_token"));
            Assert.That(AllRequests(op), Is.Zero);
        });
    }

    [Test]
    public async Task AuthenticateAsync_TokenLongerThanTheLimit_401WithoutOpCall()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(new string('a', TokenGrammar.MaxLength + 1)));

        Assert.That((result.Error?.StatusCode, result.Error?.Description), Is.EqualTo(((int?)401, TokenGrammar.TooLong)));
        Assert.That(AllRequests(op), Is.Zero);
    }

    [Test]
    public void GetUserInfosAsync_NonAsciiToken_ThrowsUnauthenticatedWithoutOpCall()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));

        var exception = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => engine.GetUserInfosAsync("t\u00f6ken"));

        Assert.That(exception!.Message, Is.EqualTo(TokenGrammar.BadCharacters));
        Assert.That(AllRequests(op), Is.Zero);
    }

    [Test]
    public async Task AuthenticateAsync_BurstOfNonAsciiTokens_EveryCircuitStaysClosed()
    {
        // The attack of the issue: each non-ASCII opaque token used to be probed at every OP, fail in
        // HttpClient, and count as an outage of each; three of them opened every circuit.
        using var a = FakeOpenIdProvider.Start();
        using var b = FakeOpenIdProvider.Start();
        var options = EngineTestKit.OptionsFor(a, b);
        options.Resilience.CircuitBreakerFailureThreshold = 3;
        using var engine = new FlaatAuthenticator(options);

        var refused = new List<int?>();
        for (var i = 0; i < 20; i++)
        {
            refused.Add((await engine.AuthenticateAsync(new AuthenticationRequest($"opaque-{i}-\u00e9"))).Error?.StatusCode);
        }

        var fromA = await engine.AuthenticateAsync(new AuthenticationRequest(a.CreateOpaqueToken(new FakeUser("alice"))));
        var fromB = await engine.AuthenticateAsync(new AuthenticationRequest(b.CreateOpaqueToken(new FakeUser("bob"))));

        Assert.Multiple(() =>
        {
            Assert.That(refused, Is.All.EqualTo(401));
            Assert.That(fromA.Error, Is.Null);
            Assert.That(fromA.UserInfos?.Issuer, Is.EqualTo(a.Issuer));
            Assert.That(fromB.Error, Is.Null);
            Assert.That(fromB.UserInfos?.Issuer, Is.EqualTo(b.Issuer));
        });
    }
}
