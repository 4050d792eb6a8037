using System.Net;
using Flaat.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.AspNetCore;

/// <summary>flaat's <c>inject_object</c> for MVC: actions take the application's own user type.</summary>
public sealed class UserObjectMvcTests
{
    private static Task<TestApp> StartAsync() =>
        TestApp.StartAsync(new FakeAuthenticator(), builder =>
        {
            builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer))
                .AddUserObject<Member>(infos => infos.GetStrings("groups").Contains("admins") ? new Member(infos.Subject, "staff") : null)
                .AddOptionalUserObject<Mailbox>(async (infos, _, cancellationToken) =>
                {
                    await Task.Delay(1, cancellationToken);
                    return infos.GetString("email") is { } email ? new Mailbox(email) : null;
                });
            builder.Services.AddControllers().UseOnlyControllers(typeof(MembersController));
        }, app => app.MapControllers());

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(TestApp app, string path, string? authorization = null)
    {
        using var response = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, path, authorization));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task ApiControllerAction_TakesStrictUserObject_GetsIt()
    {
        await using var app = await StartAsync();

        Assert.That(await GetAsync(app, "/members/me", "Bearer user.alice"), Is.EqualTo((HttpStatusCode.OK, "alice is staff")));
    }

    [Test]
    public async Task ApiControllerAction_TakesStrictUserObject_NoObjectIs403AndNoTokenIs401()
    {
        await using var app = await StartAsync();

        var forbidden = await GetAsync(app, "/members/me", "Bearer user.bob");
        var anonymous = await GetAsync(app, "/members/me");

        Assert.That(forbidden.Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(forbidden.Body, Does.Contain("has no Member in this application"));
        Assert.That(anonymous.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task FromServicesAction_TakesAsyncUserObject_MadeBeforeTheAction()
    {
        await using var app = await StartAsync();

        Assert.That(await GetAsync(app, "/members/mail", "Bearer user.bob"), Is.EqualTo((HttpStatusCode.OK, "bob@example.org")));
    }

    [ApiController]
    [Route("/members")]
    [FlaatAuthenticated]
    public sealed class MembersController : ControllerBase
    {
        [HttpGet("me")]
        public string Me(Member member) => $"{member.Subject} is {member.Kind}";

        [HttpGet("mail")]
        public string Mail([FromServices] Mailbox mailbox) => mailbox.Address;
    }

    public sealed record Member(string Subject, string Kind);

    public sealed record Mailbox(string Address);
}
