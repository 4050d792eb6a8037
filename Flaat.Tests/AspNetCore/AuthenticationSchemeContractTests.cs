using Flaat.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// The adapter contract against the Flaat authentication scheme: <c>RequireAuthorization</c> with
/// ASP.NET Core policies made of Flaat requirements.
/// </summary>
public sealed class AuthenticationSchemeContractTests : FlaatHttpAdapterContract
{
    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddAuthentication(FlaatAuthenticationDefaults.AuthenticationScheme).AddFlaat();
        services.AddAuthorization();
    }

    protected override void MapEndpoints(WebApplication app)
    {
        app.MapGet("/authenticated", (UserInfos user) => ContractEndpoints.WhoAmI(user)).RequireAuthorization();
        app.MapGet("/admin", () => "admin").RequireAuthorization(policy => policy.RequireFlaatAccessLevel(ContractEndpoints.AdminLevel));
        app.MapGet("/claim", () => "claim").RequireAuthorization(policy => policy.RequireFlaat(ContractEndpoints.EmailRequirement));
        app.MapGet("/vo", () => "vo").RequireAuthorization(policy => policy.RequireFlaat(ContractEndpoints.VoRequirement));
        app.MapGet("/audience", () => "audience").RequireAuthorization(policy => policy.RequireFlaat(ContractEndpoints.AudienceRequirement));
        app.MapGet("/request/{name}", (string name) => name)
            .RequireAuthorization(policy => policy.RequireFlaat(flaat => flaat.RequireHttpRequest(ContractEndpoints.NameIsCaller)));

        // Optional authentication as a policy: anonymous requests pass, an unreachable OP does not.
        // Without Flaat's endpoint convention the user is read from the HttpContext.
        app.MapGet("/optional", (HttpContext context) => ContractEndpoints.Optional(context.GetUserInfos()))
            .RequireAuthorization(policy => policy.RequireFlaat(flaat => flaat.AllowAnonymous()));
        app.MapGet("/hook", () => "admin")
            .RequireAuthorization(policy => policy.RequireFlaatAccessLevel(ContractEndpoints.AdminLevel))
            .OnFlaatFailure(ContractEndpoints.ReplacingHook);
        app.MapGet("/hook-throws", () => "admin")
            .RequireAuthorization(policy => policy.RequireFlaatAccessLevel(ContractEndpoints.AdminLevel))
            .OnFlaatFailure(ContractEndpoints.ThrowingHook);
    }
}
