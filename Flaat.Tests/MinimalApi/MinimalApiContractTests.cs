using Flaat.Tests.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.MinimalApi;

/// <summary>The adapter contract against minimal-API endpoints with <c>.RequireFlaat(...)</c> conventions.</summary>
public sealed class MinimalApiContractTests : FlaatHttpAdapterContract
{
    protected override void ConfigureServices(IServiceCollection services)
    {
    }

    protected override void MapEndpoints(WebApplication app)
    {
        app.MapGet("/authenticated", (UserInfos user) => ContractEndpoints.WhoAmI(user)).RequireFlaat();
        app.MapGet("/admin", () => "admin").RequireFlaatAccessLevel(ContractEndpoints.AdminLevel);
        app.MapGet("/claim", () => "claim").RequireFlaat(ContractEndpoints.EmailRequirement);
        app.MapGet("/vo", () => "vo").RequireFlaat(ContractEndpoints.VoRequirement);
        app.MapGet("/audience", () => "audience").RequireFlaat(ContractEndpoints.AudienceRequirement);
        app.MapGet("/request/{name}", (string name) => name).RequireFlaat(policy => policy.RequireHttpRequest(ContractEndpoints.NameIsCaller));
        app.MapGet("/optional", (UserInfos? user) => ContractEndpoints.Optional(user)).OptionalFlaat();
        app.MapGet("/hook", () => "admin").RequireFlaatAccessLevel(ContractEndpoints.AdminLevel).OnFlaatFailure(ContractEndpoints.ReplacingHook);
        app.MapGet("/hook-throws", () => "admin").RequireFlaatAccessLevel(ContractEndpoints.AdminLevel).OnFlaatFailure(ContractEndpoints.ThrowingHook);
    }
}
