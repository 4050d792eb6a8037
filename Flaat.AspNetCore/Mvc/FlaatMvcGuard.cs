using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.AspNetCore;

/// <summary>
/// Makes Flaat's MVC attributes fail closed. They are controller and action model conventions,
/// which MVC applies when it builds its application model whether or not Flaat is registered:
/// <list type="bullet">
/// <item>Flaat not registered (no <c>services.AddFlaat(...)</c>): building the model throws, naming
/// every action with Flaat attributes. MVC builds it when the controllers are mapped
/// (<c>app.MapControllers()</c>, <c>MapControllerRoute</c>), so the application does not start.</item>
/// <item>Flaat registered with its global filter (the default): nothing is added; the global filter judges.</item>
/// <item>Flaat registered without its global filter (<see cref="FlaatEndpointOptions.AddMvcFilter"/> off):
/// the action gets Flaat's filter of its own, so its attributes are still enforced, once.</item>
/// </list>
/// </summary>
internal static class FlaatMvcGuard
{
    private static readonly object RegisteredKey = typeof(FlaatMvcGuard);

    /// <summary>
    /// Marks the application model as built with Flaat registered. A global convention: MVC applies
    /// it before the conventions of controller and action attributes.
    /// </summary>
    public static IApplicationModelConvention Registered { get; } = new RegisteredConvention();

    /// <summary>Guards the actions of a controller with a Flaat attribute.</summary>
    public static void Apply(ControllerModel controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        foreach (var action in controller.Actions)
        {
            Apply(action);
        }
    }

    /// <summary>Guards an action with a Flaat attribute (on it or its controller).</summary>
    public static void Apply(ActionModel action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var application = action.Controller?.Application;
        if (application is not null && !application.Properties.ContainsKey(RegisteredKey))
        {
            throw new InvalidOperationException(DescribeUnregistered(application));
        }

        if (application is not null && application.Filters.Any(IsFlaatGlobalFilter))
        {
            return;
        }

        if (!action.Filters.Any(static filter => filter is ActionFilter))
        {
            action.Filters.Add(ActionFilter.Instance);
        }
    }

    private static bool IsFlaatGlobalFilter(IFilterMetadata filter) =>
        filter is ServiceFilterAttribute { ServiceType: var type } && type == typeof(FlaatMvcFilter);

    private static string DescribeUnregistered(ApplicationModel application)
    {
        var message = new StringBuilder(
            "Flaat: MVC actions have Flaat attributes, but Flaat is not registered, so they would not be enforced: call services.AddFlaat(...). The actions:");
        foreach (var controller in application.Controllers)
        {
            var onController = controller.Attributes.OfType<IFlaatMetadata>().ToArray();
            foreach (var action in controller.Actions)
            {
                var attributes = onController.Concat(action.Attributes.OfType<IFlaatMetadata>()).Select(Describe).Distinct().ToArray();
                if (attributes.Length > 0)
                {
                    message.AppendLine().Append(action.DisplayName).Append(' ').Append(string.Join(", ", attributes));
                }
            }
        }

        return message.ToString();
    }

    private static string Describe(IFlaatMetadata attribute)
    {
        var name = attribute.GetType().Name;
        return "[" + (name.EndsWith("Attribute", StringComparison.Ordinal) ? name[..^"Attribute".Length] : name) + "]";
    }

    private sealed class RegisteredConvention : IApplicationModelConvention
    {
        public void Apply(ApplicationModel application) => application.Properties[RegisteredKey] = true;
    }

    /// <summary>Flaat's filter for one action, when the global filter is off.</summary>
    private sealed class ActionFilter : IAsyncAuthorizationFilter
    {
        public static readonly ActionFilter Instance = new();

        public Task OnAuthorizationAsync(AuthorizationFilterContext context) =>
            (context.HttpContext.RequestServices.GetService<FlaatMvcFilter>()
                ?? throw new InvalidOperationException($"Action '{context.ActionDescriptor.DisplayName}' has Flaat attributes, but Flaat is not registered: call services.AddFlaat(...)."))
            .OnAuthorizationAsync(context);
    }
}
