using System.Reflection;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.AspNetCore;

internal static class MvcTestExtensions
{
    /// <summary>Limits MVC to the given controllers (the test assembly holds many).</summary>
    public static IMvcBuilder UseOnlyControllers(this IMvcBuilder builder, params Type[] controllers) =>
        builder.ConfigureApplicationPartManager(manager =>
        {
            manager.FeatureProviders.Clear();
            manager.FeatureProviders.Add(new Only(controllers));
        });

    private sealed class Only(Type[] controllers) : IApplicationFeatureProvider<ControllerFeature>
    {
        public void PopulateFeature(IEnumerable<ApplicationPart> parts, ControllerFeature feature)
        {
            foreach (var controller in controllers)
            {
                feature.Controllers.Add(controller.GetTypeInfo());
            }
        }
    }
}
