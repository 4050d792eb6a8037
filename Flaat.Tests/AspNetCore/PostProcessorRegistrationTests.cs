using System.Net;
using System.Text.Json.Nodes;
using Flaat.Requirements;
using Flaat.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.AspNetCore;

/// <summary><see cref="IUserInfosPostProcessor"/> services reach the engine AddFlaat builds.</summary>
public sealed class PostProcessorRegistrationTests
{
    [Test]
    public async Task AddFlaat_PostProcessorService_AppliedBeforeRequirements()
    {
        using var op = FakeOpenIdProvider.Start();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddFlaat(options =>
        {
            options.TrustedIssuers.Add(op.Issuer);
            options.RequestTimeout = TimeSpan.FromSeconds(10);
        });
        builder.Services.AddSingleton<IUserInfosPostProcessor, LowerCaseGroups>();
        await using var app = builder.Build();
        app.MapGet("/admin", (UserInfos user) => string.Join(",", user.GetStrings("groups"))).RequireFlaat(Require.Claim("admins", "groups"));
        await app.StartAsync();
        using var client = app.GetTestClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
        request.Headers.Authorization = new("Bearer", op.CreateJwt(new FakeUser("alice").WithClaim("groups", new[] { "Admins", "USERS" })));

        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("admins,users"));
    }

    private sealed class LowerCaseGroups : IUserInfosPostProcessor
    {
        public void PostProcess(UserInfosPostProcessingContext context)
        {
            if (context.UserInfo["groups"] is JsonArray groups)
            {
                context.UserInfo["groups"] = new JsonArray([.. groups.Select(g => (JsonNode)g!.GetValue<string>().ToLowerInvariant())]);
            }
        }
    }
}
