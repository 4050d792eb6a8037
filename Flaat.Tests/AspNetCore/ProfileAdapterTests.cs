using System.Net;
using System.Text.Json;
using Flaat.AspNetCore;
using Flaat.Requirements;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// The research profiles' requirements through the real adapters on TestServer: the storage path
/// comes from the route value (minimal API, MVC attribute, configured access level) or a function
/// of the request; assurance through the policy builder.
/// </summary>
public sealed class ProfileAdapterTests
{
    private static readonly Dictionary<string, UserInfos> Tokens = new(StringComparer.Ordinal)
    {
        ["reader"] = FakeAuthenticator.TokenUser("reader", """{"wlcg.ver":"1.0","scope":"openid storage.read:/data/run1 storage.create:/upload"}"""),
        ["sci"] = FakeAuthenticator.TokenUser("sci", """{"ver":"scitoken:2.0","scope":"read:/data"}"""),
        ["unversioned"] = FakeAuthenticator.TokenUser("unversioned", """{"scope":"storage.read:/"}"""),
        ["future"] = FakeAuthenticator.TokenUser("future", """{"wlcg.ver":"2.0","scope":"storage.read:/"}"""),
        ["root"] = FakeAuthenticator.TokenUser("root", """{"wlcg.ver":"1.0","scope":"storage.read:/data"}"""),
        ["espresso"] = FakeAuthenticator.TokenUser("espresso", """{"eduperson_assurance":["https://refeds.org/assurance/profile/espresso"]}"""),
    };

    private static Task<TestApp> StartAsync(Action<WebApplication> map, Dictionary<string, string?>? settings = null) =>
        TestApp.StartAsync(new FakeAuthenticator(), builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings ?? []) { ["Flaat:TrustedIssuers:0"] = FakeAuthenticator.Issuer });
            builder.Services.AddSingleton<IFlaatAuthenticator>(new TokenTable());
            builder.Services.AddFlaat();
            builder.Services.AddControllers().UseOnlyControllers(typeof(StorageController));
        }, map);

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(TestApp app, string path, string token, HttpMethod? method = null, string? header = null)
    {
        using var request = TestApp.Request(method ?? HttpMethod.Get, path, "Bearer " + token);
        if (header is not null)
        {
            request.Headers.Add("X-Storage-Path", header);
        }

        using var response = await app.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [TestCase("/files/run1/f", "reader", HttpStatusCode.OK)]
    [TestCase("/files/run1", "reader", HttpStatusCode.OK)]
    [TestCase("/files/run10/f", "reader", HttpStatusCode.Forbidden)]
    [TestCase("/files/run1%2F..%2Frun2/f", "reader", HttpStatusCode.Forbidden)]
    [TestCase("/files/run1/%252e%252e/run2", "reader", HttpStatusCode.Forbidden)]
    [TestCase("/files/", "reader", HttpStatusCode.Forbidden)]
    [TestCase("/files/run2/f", "sci", HttpStatusCode.OK)]
    [TestCase("/files/run1/f", "unversioned", HttpStatusCode.Forbidden)]
    [TestCase("/files/run1/f", "future", HttpStatusCode.Forbidden)]
    [TestCase("/mvc/run1/f", "reader", HttpStatusCode.OK)]
    [TestCase("/mvc/run10/f", "reader", HttpStatusCode.Forbidden)]
    [TestCase("/configured/run1/f", "reader", HttpStatusCode.OK)]
    [TestCase("/configured/run2/f", "reader", HttpStatusCode.Forbidden)]
    public async Task StorageRequirement_PathFromRouteValue_DecidesAccess(string path, string token, HttpStatusCode expected)
    {
        await using var app = await StartAsync(
            web =>
            {
                web.MapGet("/files/{**path}", () => "file").RequireFlaat(Wlcg.Storage(StorageOperation.Read, "/data/{**path}"));
                web.MapGet("/configured/{**path}", () => "file").RequireFlaatAccessLevel("reader");
                web.MapControllers();
            },
            new()
            {
                ["Flaat:AccessLevels:reader:Kind"] = "capability",
                ["Flaat:AccessLevels:reader:Values:0"] = "storage.read:/data/{**path}",
            });

        var (status, body) = await SendAsync(app, path, token);

        Assert.That(status, Is.EqualTo(expected), body);
    }

    [TestCase("/files/run1/f")]
    [TestCase("/files/")]
    public async Task StorageRequirement_TemplateNamesAParameterTheRouteLacks_RefusedNeverReadAsEmpty(string path)
    {
        // "/data/{**file}" on a route whose parameter is "path": read as empty, every request would be
        // checked as "/data", which the "root" token covers.
        await using var app = await StartAsync(web => web.MapGet("/files/{**path}", () => "file").RequireFlaat(Wlcg.Storage(StorageOperation.Read, "/data/{**file}")));

        var (status, body) = await SendAsync(app, path, "root");

        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), body);
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("error_details").GetString(), Does.Contain("no route value 'file'"));
    }

    [Test]
    public async Task StorageRequirement_EmptyCatchAll_IsTheTemplatesPrefix()
    {
        await using var app = await StartAsync(web => web.MapGet("/files/{**path}", () => "file").RequireFlaat(Wlcg.Storage(StorageOperation.Read, "/data/{**path}")));

        var (status, body) = await SendAsync(app, "/files/", "root");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
    }

    [Test]
    public async Task StorageRequirement_UnknownProfileVersion_403SaysSo()
    {
        await using var app = await StartAsync(web => web.MapGet("/files/{**path}", () => "file").RequireFlaat(Wlcg.Storage(StorageOperation.Read, "/{**path}")));

        var (status, body) = await SendAsync(app, "/files/x", "future");

        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("error_details").ToString(), Does.Contain("WLCG profile version '2.0', which Flaat does not know"));
    }

    [TestCase("/upload/new", HttpStatusCode.OK)]
    [TestCase("/uploads/new", HttpStatusCode.Forbidden)]
    [TestCase(null, HttpStatusCode.Forbidden)]
    public async Task StorageRequirement_PathFromFunctionOfRequest_DecidesAccess(string? header, HttpStatusCode expected)
    {
        await using var app = await StartAsync(web => web.MapPut("/put", () => "stored")
            .RequireFlaat(policy => policy.RequireStorage(StorageOperation.Create, http => http.Request.Headers["X-Storage-Path"].FirstOrDefault())));

        var (status, body) = await SendAsync(app, "/put", "reader", HttpMethod.Put, header);

        Assert.That(status, Is.EqualTo(expected), body);
    }

    [TestCase("espresso", HttpStatusCode.OK)]
    [TestCase("reader", HttpStatusCode.Forbidden)]
    public async Task Assurance_PolicyBuilder_ProfileImpliesLevel(string token, HttpStatusCode expected)
    {
        await using var app = await StartAsync(web => web.MapGet("/assurance", () => "ok")
            .RequireFlaat(policy => policy.RequireAssurance("https://refeds.org/assurance/IAP/high")));

        var (status, _) = await SendAsync(app, "/assurance", token);

        Assert.That(status, Is.EqualTo(expected));
    }

    [Test]
    public void ConfiguredCapability_Invalid_StartFailsNamingTheSetting()
    {
        var exception = Assert.CatchAsync(async () => await StartAsync(
            web => web.MapGet("/x", () => "x").RequireFlaatAccessLevel("reader"),
            new()
            {
                ["Flaat:AccessLevels:reader:Kind"] = "capability",
                ["Flaat:AccessLevels:reader:Values:0"] = "storage.read:data",
            }));

        Assert.That(exception!.Message, Does.Contain("Flaat:AccessLevels:reader:Values"));
    }

    /// <summary>An MVC controller with the storage attribute on a catch-all route.</summary>
    [ApiController]
    public sealed class StorageController : ControllerBase
    {
        [HttpGet("/mvc/{**path}")]
        [FlaatStorage(StorageOperation.Read, "/data/{**path}")]
        public string Get(string path) => path;
    }

    private sealed class TokenTable : IFlaatAuthenticator
    {
        public ValueTask<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Tokens.TryGetValue(request.AccessToken, out var user)
                ? AuthenticationResult.Success(user)
                : AuthenticationResult.Failure(FlaatError.Unauthenticated("Unknown token")));
    }
}
