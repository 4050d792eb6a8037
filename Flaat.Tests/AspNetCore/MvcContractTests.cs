using Flaat.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.AspNetCore;

/// <summary>The adapter contract against MVC controllers with Flaat attributes and the global filter.</summary>
public sealed class MvcContractTests : FlaatHttpAdapterContract
{
    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddControllers().UseOnlyControllers(typeof(ContractController));

    protected override void MapEndpoints(WebApplication app) => app.MapControllers();

    /// <summary>A request requirement as an attribute: the extension point for MVC.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    private sealed class NameIsCallerAttribute : Attribute, IFlaatMetadata
    {
        public void Apply(FlaatPolicyBuilder builder) => builder.RequireHttpRequest(ContractEndpoints.NameIsCaller);
    }

    [FlaatAuthenticated]
    public sealed class ContractController : ControllerBase
    {
        [HttpGet("/authenticated")]
        public string Authenticated(UserInfos user) => ContractEndpoints.WhoAmI(user);

        [HttpGet("/admin")]
        [FlaatAccessLevel(ContractEndpoints.AdminLevel)]
        public string Admin() => "admin";

        [HttpGet("/claim")]
        [FlaatClaim("email", ContractEndpoints.Email)]
        public string Claim() => "claim";

        [HttpGet("/vo")]
        [FlaatVo(ContractEndpoints.Vo)]
        public string Vo() => "vo";

        [HttpGet("/audience")]
        [FlaatAudience(ContractEndpoints.Audience)]
        public string Audience() => "audience";

        [HttpGet("/request/{name}")]
        [NameIsCaller]
        public string RequestRequirement(string name) => name;

        // The action's attribute is applied after the class's: it makes authentication optional.
        [HttpGet("/optional")]
        [FlaatOptional]
        public string Optional(UserInfos? user) => ContractEndpoints.Optional(user);

        [HttpGet("/hook")]
        [FlaatAccessLevel(ContractEndpoints.AdminLevel)]
        [FlaatOnFailure(typeof(ContractEndpoints.Replacing))]
        public string Hook() => "admin";

        [HttpGet("/hook-throws")]
        [FlaatAccessLevel(ContractEndpoints.AdminLevel)]
        [FlaatOnFailure(typeof(ContractEndpoints.Throwing))]
        public string HookThrows() => "admin";
    }
}
