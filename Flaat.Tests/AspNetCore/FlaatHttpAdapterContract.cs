using System.Net;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// The adapter contract plus what only HTTP adapters offer: on-failure hooks that replace the
/// response. <c>/hook</c> and <c>/hook-throws</c> require the access level <c>admin</c>; the first
/// hook answers with text, the second throws a Flaat exception. (gRPC has no response to replace.)
/// </summary>
public abstract class FlaatHttpAdapterContract : FlaatAdapterContract
{
    [Test]
    public async Task Authenticated_TwoAuthorizationHeaders_Is401InvalidRequestWithoutOpCall()
    {
        Op.ResetRequestCounts();
        using var request = Get("/authenticated");
        request.Headers.TryAddWithoutValidation("Authorization", ["Bearer " + AliceToken, "Bearer " + BobToken]);

        using var response = await Client.SendAsync(request);

        await AssertFlaatErrorAsync(response, HttpStatusCode.Unauthorized, "Unauthenticated", "The request carries more than one authorization header",
            "Bearer error=\"invalid_request\", error_description=\"The request carries more than one authorization header\"");
        Assert.That(OpRequests(), Is.Zero, "neither token, nor both joined, is shown to the OP");
    }

    [Test]
    public async Task OnFailure_HookReturnsResponse_ReplacesFlaatsAndSeesUser()
    {
        using var response = await SendAsync("/hook", "Bearer " + BobToken);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("hook: 403 bob"));
        });
    }

    [Test]
    public async Task OnFailure_HookWithoutUser_SeesNoUser()
    {
        using var response = await SendAsync("/hook");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("hook: 401 -"));
        });
    }

    [Test]
    public async Task OnFailure_HookThrowsFlaatException_RendersIt()
    {
        using var response = await SendAsync("/hook-throws", "Bearer " + BobToken);

        await AssertFlaatErrorAsync(response, HttpStatusCode.Forbidden, "Forbidden", "Go away, bob",
            "Bearer error=\"insufficient_scope\", error_description=\"Go away, bob\"");
    }

    [Test]
    public async Task OnFailure_Allowed_HookNotCalled()
    {
        using var response = await SendAsync("/hook", "Bearer " + AliceToken);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("admin"));
    }
}
