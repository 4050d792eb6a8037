using Flaat;
using Flaat.AspNetCore;
using Flaat.Requirements;
using Microsoft.AspNetCore.Mvc;

namespace Flaat.Examples.Mvc.Controllers;

/// <summary>flaat's Flask example routes, as MVC actions protected by Flaat attributes.</summary>
[ApiController]
public sealed class ExampleController : ControllerBase
{
    private static readonly string[] Routes =
    [
        "/info", "/info_no_strict", "/authenticated", "/authenticated_callback",
        "/authorized_level", "/authorized_claim", "/authorized_vo", "/full_custom",
    ];

    [HttpGet("/")]
    public string Index() => "Flaat MVC example. Routes:\n" + string.Join('\n', Routes) + "\n";

    [HttpGet("/info"), FlaatAuthenticated]
    public ContentResult Info(UserInfos user) => Content(user.ToJson(), "application/json");

    [HttpGet("/info_no_strict"), FlaatOptional]
    public ContentResult InfoNoStrict(UserInfos? user) =>
        user is null ? Content("No userinfo", "text/plain") : Content(user.ToJson(), "application/json");

    [HttpGet("/authenticated"), FlaatAuthenticated]
    public string Authenticated(UserInfos user) => $"This worked: there was a valid login for {user}";

    [HttpGet("/authenticated_callback"), FlaatAuthenticated, FlaatOnFailure(typeof(PlainTextUnauthenticated))]
    public string AuthenticatedCallback(UserInfos user) => $"This worked: there was a valid login for {user}";

    [HttpGet("/authorized_level"), FlaatAccessLevel("admin")]
    public string AuthorizedLevel(UserInfos user) => $"This worked: {user} has access level 'admin'";

    [HttpGet("/authorized_claim"), FlaatAccessLevel("admin_email")]
    public string AuthorizedClaim(UserInfos user) => $"This worked: {user} has an admin e-mail address";

    [HttpGet("/authorized_vo"), FlaatAccessLevel("required_vos")]
    public string AuthorizedVo(UserInfos user) => $"This worked: {user} is in the required VOs";

    [HttpGet("/full_custom"), FlaatOptional, NoDenyParameter]
    public string FullCustom(UserInfos? user) =>
        user is null
            ? "Hello, anonymous visitor"
            : $"Hello {user.GetString("name") ?? user.Subject}, your e-mail is {user.GetString("email") ?? "unknown"}";
}

/// <summary>A custom on-failure response: plain text, status 401, whatever went wrong.</summary>
public sealed class PlainTextUnauthenticated : IFlaatFailureHandler
{
    public ValueTask<IResult?> OnFailureAsync(FlaatFailureContext context) =>
        ValueTask.FromResult<IResult?>(
            Results.Text($"Custom callback: you are not authenticated ({context.Error.Description})", statusCode: 401));
}

/// <summary>A request requirement as an attribute: any Flaat metadata can add to the policy.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NoDenyParameterAttribute : Attribute, IFlaatMetadata
{
    public void Apply(FlaatPolicyBuilder builder) =>
        builder.RequireHttpRequest((user, context) => context.Request.Query.ContainsKey("deny")
            ? new CheckResult(false, "The query parameter 'deny' refuses every user")
            : new CheckResult(true, "The request has no 'deny' parameter"));
}
