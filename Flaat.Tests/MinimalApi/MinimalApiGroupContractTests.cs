using Flaat.Tests.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.MinimalApi;

/// <summary>
/// The adapter contract against minimal-API endpoints that get their Flaat conventions from
/// <c>MapGroup</c>s (requirements, optional authentication and hooks on groups).
/// </summary>
public sealed class MinimalApiGroupContractTests : FlaatHttpAdapterContract
{
    protected override void ConfigureServices(IServiceCollection services)
    {
    }

    protected override void MapEndpoints(WebApplication app)
    {
        var authenticated = app.MapGroup(string.Empty).RequireFlaat();
        authenticated.MapGet("/authenticated", (UserInfos user) => ContractEndpoints.WhoAmI(user));
        authenticated.MapGet("/request/{name}", (string name) => name)
            .RequireFlaat(policy => policy.RequireHttpRequest(ContractEndpoints.NameIsCaller));

        var requirements = app.MapGroup(string.Empty);
        requirements.MapGroup(string.Empty).RequireFlaat(ContractEndpoints.EmailRequirement).MapGet("/claim", () => "claim");
        requirements.MapGroup(string.Empty).RequireFlaat(ContractEndpoints.VoRequirement).MapGet("/vo", () => "vo");
        requirements.MapGroup(string.Empty).RequireFlaat(ContractEndpoints.AudienceRequirement).MapGet("/audience", () => "audience");

        var admin = app.MapGroup(string.Empty).RequireFlaatAccessLevel(ContractEndpoints.AdminLevel);
        admin.MapGet("/admin", () => "admin");
        admin.MapGroup(string.Empty).OnFlaatFailure(ContractEndpoints.ReplacingHook).MapGet("/hook", () => "admin");
        admin.MapGroup(string.Empty).OnFlaatFailure(ContractEndpoints.ThrowingHook).MapGet("/hook-throws", () => "admin");

        app.MapGroup(string.Empty).OptionalFlaat().MapGet("/optional", (UserInfos? user) => ContractEndpoints.Optional(user));
    }
}
