// Flaat's minimal-API example: the routes of flaat's Flask example, protected with .RequireFlaat(...).
// Without a configured OP it starts an embedded demo OP and prints curl commands to try.
using Flaat;
using Flaat.Caching;
using Flaat.Examples;
using Flaat.Requirements;

var builder = WebApplication.CreateBuilder(args);
DemoProvider.UseDefaultUrl(builder);
var demo = DemoProvider.StartIfUnconfigured(builder);
var settings = ExampleSettings.From(builder.Configuration);

// JSON bodies through generated code, so the example also runs when published with Native AOT.
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, ExampleJson.Default));
builder.Services.AddFlaat(builder.Configuration.GetSection("Flaat"))
    .AddRedisWhenConfigured(builder.Configuration);   // a fleet's replica when Flaat:Cache:Redis is set
builder.Services.AddHealthChecks().AddFlaat();

var app = builder.Build();

// Each trusted OP as Flaat sees it (configuration and key ages, last error, circuit); no token needed.
app.MapHealthChecks("/healthz");

string[] routes =
[
    "/info", "/info_no_strict", "/authenticated", "/authenticated_callback",
    "/authorized_level", "/authorized_claim", "/authorized_vo", "/full_custom", "POST /revoke",
    "/wlcg/read/{**path}", "/assurance",
];

app.MapGet("/", () => "Flaat minimal-API example. Routes:\n" + string.Join('\n', routes) + "\n");

// The user's infos as flaat's toJSON renders them; authentication required.
app.MapGet("/info", (UserInfos user) => Results.Text(user.ToJson(), "application/json"))
    .RequireFlaat();

// Optional authentication: the infos when a good token came, else a plain text.
app.MapGet("/info_no_strict", (UserInfos? user) =>
        user is null ? Results.Text("No userinfo") : Results.Text(user.ToJson(), "application/json"))
    .OptionalFlaat();

app.MapGet("/authenticated", (UserInfos user) => $"This worked: there was a valid login for {user}")
    .RequireFlaat();

// A custom on-failure response: plain text, status 401, whatever went wrong.
app.MapGet("/authenticated_callback", (UserInfos user) => $"This worked: there was a valid login for {user}")
    .RequireFlaat()
    .OnFlaatFailure(failure => ValueTask.FromResult<IResult?>(
        Results.Text($"Custom callback: you are not authenticated ({failure.Error.Description})", statusCode: 401)));

// A named access level from configuration (Flaat:AccessLevels:admin).
app.MapGet("/authorized_level", (UserInfos user) => $"This worked: {user} has access level 'admin'")
    .RequireFlaatAccessLevel("admin");

// The e-mail claim must equal one of Example:AdminEmails.
app.MapGet("/authorized_claim", (UserInfos user) => $"This worked: {user} has an admin e-mail address")
    .RequireFlaat(Require.Claim(settings.AdminEmails, "email", Match.One));

// Every entitlement of Example:RequiredEntitlements must be satisfied (AARC rules: sub-groups count).
app.MapGet("/authorized_vo", (UserInfos user) => $"This worked: {user} is in the required VOs")
    .RequireFlaat(Require.Vo(settings.RequiredEntitlements, "eduperson_entitlement", Match.All));

// The full workflow: optional authentication, a request requirement that sees the request,
// and a value computed from the user and injected into the handler.
app.MapGet("/full_custom", (UserInfos? user, HttpContext context) =>
        user is null
            ? "Hello, anonymous visitor"
            : $"Hello {user.GetString("name") ?? user.Subject}, your e-mail is {user.GetString("email") ?? "unknown"}")
    .RequireFlaat(policy => policy
        .AllowAnonymous()
        .RequireHttpRequest((user, context) => context.Request.Query.ContainsKey("deny")
            ? new CheckResult(false, "The query parameter 'deny' refuses every user")
            : new CheckResult(true, "The request has no 'deny' parameter")));

// A revocation webhook for operators (access level 'admin'): {"token": "..."} or {"tokenHash": "<64 hex
// digits>"} makes Flaat forget the token, on every replica when Redis is shared; the next request
// with it is decided by the OP again. 503 when the shared cache could not be reached.
app.MapPost("/revoke", async (Revocation revocation, IFlaatTokenRevoker revoker, CancellationToken cancellationToken) =>
{
    try
    {
        if (!string.IsNullOrEmpty(revocation.Token)) await revoker.RevokeAsync(revocation.Token, cancellationToken);
        else if (TokenHash.TryParse(revocation.TokenHash, out var hash)) await revoker.RevokeAsync(hash, cancellationToken);
        else return Results.BadRequest("Send {\"token\": ...} or {\"tokenHash\": <64 hex digits>}");
        return Results.NoContent();
    }
    catch (Exception e) when (e is not OperationCanceledException)
    {
        return Results.Problem("The token could not be forgotten everywhere; try again.", statusCode: 503);
    }
}).RequireFlaatAccessLevel("admin");

// WLCG Common JWT Profile / SciTokens: the token needs a storage.read (or read) capability whose
// path covers the requested one, e.g. storage.read:/demo for /wlcg/read/demo/data.txt.
app.MapGet("/wlcg/read/{**path}", (string? path, UserInfos user) => $"This worked: {user} may read /{path}")
    .RequireFlaat(Wlcg.Storage(StorageOperation.Read, "/{**path}"));

// REFEDS Assurance Framework: identity assurance IAP/medium or better (IAP/high, Cappuccino and Espresso imply it).
app.MapGet("/assurance", (UserInfos user) => $"This worked: {user} has identity assurance IAP/medium")
    .RequireFlaat(Refeds.Assurance("https://refeds.org/assurance/IAP/medium"));

demo?.PrintCurlCommandsWhenStarted(app, "/authorized_level", "/authorized_vo", "/wlcg/read/demo/data.txt", "/assurance");

app.Run();

/// <summary>The example's entry point, visible to tests.</summary>
public partial class Program;

/// <summary>The body of <c>POST /revoke</c>: the access token, or its SHA-256 in hex.</summary>
public sealed record Revocation(string? Token, string? TokenHash);

/// <summary>The JSON the example reads and writes, generated at build time (Native AOT has no reflection-based JSON).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(Revocation))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class ExampleJson : System.Text.Json.Serialization.JsonSerializerContext;
