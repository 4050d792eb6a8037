using Flaat.AspNetCore;
using Flaat.Requirements;
using Flaat.Tests.AspNetCore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.EndToEnd;

/// <summary>Minimal APIs with <c>.RequireFlaat(...)</c> against the real OP.</summary>
public sealed class MinimalApiEndToEndTests : AdapterEndToEndContract
{
    protected override void ConfigureServices(IServiceCollection services)
    {
    }

    protected override void MapEndpoints(WebApplication app)
    {
        app.MapGet("/info", (UserInfos user) => Info(user)).RequireFlaat();
        app.MapGet("/admin", () => "admin").RequireFlaatAccessLevel("admin");
        app.MapGet("/vo", () => "vo").RequireFlaat(Require.Vo(AdminEntitlement));
        app.MapGet("/email", () => "email").RequireFlaat(Require.Claim(AdminEmail, "email"));
    }
}

/// <summary>MVC controllers with Flaat attributes against the real OP.</summary>
public sealed class MvcEndToEndTests : AdapterEndToEndContract
{
    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddControllers().UseOnlyControllers(typeof(EndToEndController));

    protected override void MapEndpoints(WebApplication app) => app.MapControllers();

    [FlaatAuthenticated]
    public sealed class EndToEndController : ControllerBase
    {
        [HttpGet("/info")]
        public IResult GetInfo(UserInfos user) => Info(user);

        [HttpGet("/admin")]
        [FlaatAccessLevel("admin")]
        public string Admin() => "admin";

        [HttpGet("/vo")]
        [FlaatVo(AdminEntitlement)]
        public string Vo() => "vo";

        [HttpGet("/email")]
        [FlaatClaim("email", AdminEmail)]
        public string Email() => "email";
    }
}

/// <summary>The Flaat authentication scheme with ASP.NET Core authorisation policies against the real OP.</summary>
public sealed class AuthenticationSchemeEndToEndTests : AdapterEndToEndContract
{
    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddAuthentication(FlaatAuthenticationDefaults.AuthenticationScheme).AddFlaat();
        services.AddAuthorization();
    }

    protected override void MapEndpoints(WebApplication app)
    {
        app.MapGet("/info", (HttpContext context) => Info(context.GetUserInfos()!)).RequireAuthorization();
        app.MapGet("/admin", () => "admin").RequireAuthorization(policy => policy.RequireFlaatAccessLevel("admin"));
        app.MapGet("/vo", () => "vo").RequireAuthorization(policy => policy.RequireFlaat(Require.Vo(AdminEntitlement)));
        app.MapGet("/email", () => "email").RequireAuthorization(policy => policy.RequireFlaat(Require.Claim(AdminEmail, "email")));
    }
}
