using System.Net;
using Flaat.Tests.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.MinimalApi;

/// <summary>flaat's <c>inject_object</c> for minimal APIs: handlers take the application's own user type.</summary>
public sealed class UserObjectTests
{
    private FakeAuthenticator _op = null!;
    private UserDirectory _directory = null!;

    [SetUp]
    public void SetUp()
    {
        _op = new FakeAuthenticator();
        _directory = new UserDirectory();
    }

    private Task<TestApp> StartAsync(Action<WebApplication> map) =>
        TestApp.StartAsync(_op, builder =>
        {
            builder.Services.AddSingleton(_directory);
            builder.Services.AddScoped<DirectorySession>();
            builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer))
                // Asynchronous, with a scoped service of the request.
                .AddUserObject<AppUser>(async (infos, services, cancellationToken) =>
                    await services.GetRequiredService<DirectorySession>().FindAsync(infos.Subject, cancellationToken))
                // Synchronous and optional.
                .AddOptionalUserObject<Nickname>(infos => infos.GetString("email") is { } email && email.StartsWith("alice", StringComparison.Ordinal) ? new Nickname("Al") : null);
        }, map);

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(TestApp app, string path, string? authorization = null)
    {
        using var response = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, path, authorization));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Handler_TakesStrictUserObject_GetsItMadeWithRequestServices()
    {
        await using var app = await StartAsync(web => web.MapGet("/me", (AppUser user) => $"{user.Name} ({user.Role})").RequireFlaat());

        var result = await GetAsync(app, "/me", "Bearer user.alice");

        Assert.That(result, Is.EqualTo((HttpStatusCode.OK, "Alice Liddell (admin)")));
    }

    [Test]
    public async Task Handler_TakesStrictUserObject_UserWithoutRecordIs403BeforeTheHandler()
    {
        var ran = false;
        await using var app = await StartAsync(web => web.MapGet("/me", (AppUser user) =>
        {
            ran = true;
            return user.Name;
        }).RequireFlaat());

        var result = await GetAsync(app, "/me", "Bearer user.bob");

        Assert.That(result.Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(result.Body, Does.Contain($"User bob@{FakeAuthenticator.Issuer} has no AppUser in this application"));
        Assert.That(ran, Is.False);
    }

    [Test]
    public async Task Handler_TakesStrictUserObjectOnOptionalEndpoint_NoTokenIs401()
    {
        await using var app = await StartAsync(web => web.MapGet("/me", (AppUser user) => user.Name).OptionalFlaat());

        var result = await GetAsync(app, "/me");

        Assert.That(result.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(result.Body, Does.Contain("User identity could not be determined"));
    }

    [Test]
    public async Task Handler_TakesOptionalUserObject_NullWithoutUserOrWithoutObject()
    {
        await using var app = await StartAsync(web => web.MapGet("/nick", (Nickname? nickname) => nickname?.Value ?? "none").OptionalFlaat());

        Assert.That(await GetAsync(app, "/nick", "Bearer user.alice"), Is.EqualTo((HttpStatusCode.OK, "Al")));
        Assert.That(await GetAsync(app, "/nick", "Bearer user.bob"), Is.EqualTo((HttpStatusCode.OK, "none")));
        Assert.That(await GetAsync(app, "/nick"), Is.EqualTo((HttpStatusCode.OK, "none")));
    }

    [Test]
    public async Task Handler_NotTakingTheStrictObject_IsNotRefusedForLackingIt()
    {
        await using var app = await StartAsync(web => web.MapGet("/open", (UserInfos user) => user.Subject).RequireFlaat());

        var result = await GetAsync(app, "/open", "Bearer user.bob");

        Assert.That(result, Is.EqualTo((HttpStatusCode.OK, "bob")));
        Assert.That(_directory.Lookups, Is.Zero);
    }

    [Test]
    public async Task GetUserObjectAsync_InsideTheHandlerAsWell_MadeOncePerRequest()
    {
        await using var app = await StartAsync(web => web.MapGet("/twice", async (AppUser user, HttpContext context) =>
        {
            var again = await context.GetUserObjectAsync<AppUser>();
            return ReferenceEquals(user, again) ? "same" : "different";
        }).RequireFlaat());

        var first = await GetAsync(app, "/twice", "Bearer user.alice");
        var second = await GetAsync(app, "/twice", "Bearer user.alice");

        Assert.That(first, Is.EqualTo((HttpStatusCode.OK, "same")));
        Assert.That(second, Is.EqualTo((HttpStatusCode.OK, "same")));
        Assert.That(_directory.Lookups, Is.EqualTo(2), "once per request");
    }

    [Test]
    public async Task GetUserObjectAsync_HandlerWithoutTheParameter_MadeOnDemand()
    {
        await using var app = await StartAsync(web => web.MapGet("/lazy", async (HttpContext context) =>
            (await context.GetUserObjectAsync<AppUser>())?.Name ?? "none").RequireFlaat());

        Assert.That(await GetAsync(app, "/lazy", "Bearer user.alice"), Is.EqualTo((HttpStatusCode.OK, "Alice Liddell")));
        Assert.That(await GetAsync(app, "/lazy", "Bearer user.bob"), Is.EqualTo((HttpStatusCode.OK, "none")));
    }

    public sealed record AppUser(string Name, string Role);

    public sealed record Nickname(string Value);

    /// <summary>The application's user store (a singleton), counting lookups.</summary>
    internal sealed class UserDirectory
    {
        private int _lookups;

        public int Lookups => Volatile.Read(ref _lookups);

        public async Task<AppUser?> FindAsync(string subject, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _lookups);
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            return subject == "alice" ? new AppUser("Alice Liddell", "admin") : null;
        }
    }

    /// <summary>A scoped service (like a DbContext) the factory gets from the request's services.</summary>
    internal sealed class DirectorySession(UserDirectory directory)
    {
        public Task<AppUser?> FindAsync(string subject, CancellationToken cancellationToken) => directory.FindAsync(subject, cancellationToken);
    }
}
