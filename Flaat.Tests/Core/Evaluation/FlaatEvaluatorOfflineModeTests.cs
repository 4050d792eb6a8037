using System.Text.Json;
using Flaat.Evaluation;
using Flaat.Requirements;

namespace Flaat.Tests.Core.Evaluation;

public sealed class FlaatEvaluatorOfflineModeTests
{
    private static readonly FlaatPolicy AdminsOnly = new() { UserRequirement = Require.Claim("admins", "groups") };

    [Test]
    public async Task EvaluateAsync_TokenOnlyUserLacksRightsAndUserinfoRefused_Forbidden()
    {
        var authenticator = new TwoAnswers(AuthenticationResult.Failure(FlaatError.Unauthenticated("userinfo refused")));

        var outcome = await new FlaatEvaluator(authenticator).EvaluateAsync(BearerToken.FromToken("t"), AdminsOnly);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Error?.StatusCode, Is.EqualTo(403));
            Assert.That(outcome.UserInfos?.Subject, Is.EqualTo("bob"));
            Assert.That(authenticator.Requests, Has.Count.EqualTo(2));
            Assert.That(authenticator.Requests[1].RequireUserInfo, Is.True);
        });
    }

    [Test]
    public async Task EvaluateAsync_TokenOnlyUserLacksRightsAndOpDown_Unavailable()
    {
        var authenticator = new TwoAnswers(AuthenticationResult.Failure(FlaatError.Unavailable("OP down")));

        var outcome = await new FlaatEvaluator(authenticator).EvaluateAsync(BearerToken.FromToken("t"), AdminsOnly);

        Assert.That(outcome.Error?.StatusCode, Is.EqualTo(503));
    }

    [Test]
    public async Task EvaluateAsync_TokenOnlyUserLacksRightsButUserinfoGrantsThem_Allowed()
    {
        var admin = new UserInfos(null, Json("""{"sub":"bob","iss":"https://op.example","groups":["admins"]}"""));
        var authenticator = new TwoAnswers(AuthenticationResult.Success(admin));

        var outcome = await new FlaatEvaluator(authenticator).EvaluateAsync(BearerToken.FromToken("t"), AdminsOnly);

        Assert.That(outcome.IsAllowed, Is.True, outcome.Error?.ToString());
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    /// <summary>Answers a token-only user without rights first, then <c>second</c>.</summary>
    private sealed class TwoAnswers(AuthenticationResult second) : IFlaatAuthenticator
    {
        public List<AuthenticationRequest> Requests { get; } = [];

        public ValueTask<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken = default)
        {
            Requests.Add(request);
            return ValueTask.FromResult(Requests.Count == 1
                ? AuthenticationResult.Success(new UserInfos(null, Json("""{"sub":"bob","iss":"https://op.example","groups":["users"]}""")), isTokenOnly: true)
                : second);
        }
    }
}
