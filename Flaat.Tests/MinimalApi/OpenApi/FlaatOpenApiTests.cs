using System.Text.Json;
using Flaat.Requirements;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.MinimalApi.OpenApi;

/// <summary>
/// <c>AddOpenApi(o => o.AddFlaatSecurity())</c>: the document Microsoft.AspNetCore.OpenApi serves on a
/// TestServer shows the bearer scheme and, per operation, exactly the protection Flaat enforces.
/// </summary>
public sealed class FlaatOpenApiTests
{
    private static async Task<JsonDocument> GetDocumentAsync(bool addFlaatSecurity)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddFlaat(o => o.TrustedIssuers.Add("https://op.example.org"))
            .AddAccessLevel("admin", Require.Claim("admins", "groups"));
        builder.Services.AddOpenApi(options =>
        {
            if (addFlaatSecurity)
            {
                options.AddFlaatSecurity();
            }
        });
        await using var app = builder.Build();
        app.MapOpenApi();
        app.MapGet("/public", () => "anyone");
        app.MapGet("/info", () => "user").RequireFlaat();
        app.MapGet("/admin", () => "admin").RequireFlaatAccessLevel("admin");
        app.MapGet("/maybe", () => "maybe").OptionalFlaat();
        app.MapGroup("/api").RequireFlaat(Require.Claim("api", "scope")).MapGet("/items", () => "items");
        app.MapGet("/open", () => "open").RequireFlaat().AllowAnonymous();
        await app.StartAsync();
        using var client = app.GetTestClient();
        var json = await client.GetStringAsync("/openapi/v1.json");
        await app.StopAsync();
        return JsonDocument.Parse(json);
    }

    private static JsonElement Get(JsonDocument document, string path) =>
        document.RootElement.GetProperty("paths").GetProperty(path).GetProperty("get");

    private static string[] Statuses(JsonElement operation) =>
        [.. operation.GetProperty("responses").EnumerateObject().Select(response => response.Name)];

    [Test]
    public async Task AddFlaatSecurity_Document_HasBearerScheme()
    {
        using var document = await GetDocumentAsync(addFlaatSecurity: true);

        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Multiple(() =>
        {
            Assert.That(scheme.GetProperty("type").GetString(), Is.EqualTo("http"));
            Assert.That(scheme.GetProperty("scheme").GetString(), Is.EqualTo("bearer"));
        });
    }

    [Test]
    public async Task AddFlaatSecurity_ProtectedOperations_RequireBearerAndList401403503()
    {
        using var document = await GetDocumentAsync(addFlaatSecurity: true);

        var info = Get(document, "/info");
        var admin = Get(document, "/admin");
        var grouped = Get(document, "/api/items");
        Assert.Multiple(() =>
        {
            Assert.That(info.GetProperty("security").EnumerateArray().Single().TryGetProperty("Bearer", out _), Is.True);
            Assert.That(Statuses(info), Is.SupersetOf(new[] { "200", "401", "503" }));
            Assert.That(Statuses(info), Does.Not.Contain("403"), "authentication only: no requirement to miss");
            Assert.That(Statuses(admin), Is.SupersetOf(new[] { "200", "401", "403", "503" }));
            Assert.That(Statuses(grouped), Is.SupersetOf(new[] { "401", "403", "503" }), "a group's requirements count");
            var body = admin.GetProperty("responses").GetProperty("403").GetProperty("content").GetProperty("application/json").GetProperty("schema");
            Assert.That(body.GetProperty("properties").TryGetProperty("error_description", out _), Is.True);
        });
    }

    [Test]
    public async Task AddFlaatSecurity_OptionalAndUnprotectedOperations_ShowWhatFlaatEnforces()
    {
        using var document = await GetDocumentAsync(addFlaatSecurity: true);

        var maybe = Get(document, "/maybe").GetProperty("security").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(maybe, Has.Count.EqualTo(2), "anonymous or bearer");
            Assert.That(maybe.Count(requirement => !requirement.EnumerateObject().Any()), Is.EqualTo(1));
            Assert.That(Get(document, "/public").TryGetProperty("security", out _), Is.False);
            Assert.That(Statuses(Get(document, "/public")), Does.Not.Contain("401"));
            Assert.That(Get(document, "/open").TryGetProperty("security", out _), Is.False, "[AllowAnonymous] wins, as in the gate");
        });
    }

    [Test]
    public async Task WithoutAddFlaatSecurity_Document_IsUnchanged()
    {
        using var document = await GetDocumentAsync(addFlaatSecurity: false);

        Assert.Multiple(() =>
        {
            Assert.That(Get(document, "/info").TryGetProperty("security", out _), Is.False);
            Assert.That(Statuses(Get(document, "/info")), Does.Not.Contain("401"));
        });
    }
}
