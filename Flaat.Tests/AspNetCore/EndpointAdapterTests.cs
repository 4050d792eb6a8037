using System.Net;
using Flaat.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.AspNetCore;

/// <summary>The adapter seam (<see cref="IFlaatEndpointAdapter"/>) and the request feature (<see cref="FlaatFeature"/>), used as an adapter package would.</summary>
public sealed class EndpointAdapterTests
{
    private sealed class OwnedByAnotherAdapter;

    /// <summary>An adapter that claims endpoints marked <see cref="OwnedByAnotherAdapter"/> and reports them unguarded when told to.</summary>
    private sealed class MarkerAdapter(bool guarded) : IFlaatEndpointAdapter
    {
        public bool Claims(IEnumerable<object> metadata) => metadata.OfType<OwnedByAnotherAdapter>().Any();

        public string? FindUnguarded(Endpoint endpoint) => guarded ? null : $"'{endpoint.DisplayName}' is not guarded by the marker adapter";
    }

    private static Task<TestApp> StartAsync(IFlaatEndpointAdapter adapter, Action<WebApplication> map) =>
        TestApp.StartAsync(new FakeAuthenticator(), builder =>
        {
            builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer));
            builder.Services.AddSingleton(adapter);
        }, map);

    [Test]
    public async Task RequireFlaat_OnEndpointAnAdapterClaims_HttpGateIsNotInstalled()
    {
        await using var app = await StartAsync(new MarkerAdapter(guarded: true), web =>
        {
            web.MapGet("/claimed", () => "handled by the other adapter").RequireFlaat().WithMetadata(new OwnedByAnotherAdapter());
            web.MapGet("/http", () => "http").RequireFlaat();
        });

        using var claimed = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/claimed", null));
        using var http = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/http", null));

        Assert.Multiple(() =>
        {
            Assert.That(claimed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(http.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public void ClaimedEndpoint_AdapterSaysUnguarded_StartFailsWithItsMessage()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () => await StartAsync(new MarkerAdapter(guarded: false), web =>
        {
            web.MapGet("/claimed", () => "x").RequireFlaat().WithMetadata(new OwnedByAnotherAdapter());
            web.MapGet("/open", () => "x").WithMetadata(new OwnedByAnotherAdapter());
        }));

        Assert.Multiple(() =>
        {
            Assert.That(exception!.Message, Does.Contain("'HTTP: GET /claimed' is not guarded by the marker adapter"));
            Assert.That(exception.Message, Does.Not.Contain("/open"));
        });
    }

    [TestCase("Bearer user.alice", "alice", true)]
    [TestCase("Bearer unknown", null, true)]
    [TestCase(null, null, false)]
    public async Task Feature_OptionalEndpoint_HoldsOutcomeUserAndWhetherATokenWasSent(string? authorization, string? subject, bool tokenPresented)
    {
        FlaatFeature? seen = null;
        await using var app = await TestApp.StartAsync(new FakeAuthenticator(), builder =>
            builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer)), web =>
        {
            web.Use(async (context, next) =>
            {
                await next(context);
                seen = context.Features.Get<FlaatFeature>();
            });
            web.MapGet("/optional", () => "ok").OptionalFlaat();
        });

        using var response = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/optional", authorization));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(seen, Is.Not.Null);
            Assert.That(seen!.Outcome.IsAllowed, Is.True);
            Assert.That(seen.UserInfos?.Subject, Is.EqualTo(subject));
            Assert.That(seen.TokenPresented, Is.EqualTo(tokenPresented));
        });
    }
}
