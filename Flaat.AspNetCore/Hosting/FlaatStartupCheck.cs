using Flaat.Evaluation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>
/// Runs once the application's pipeline and endpoints are built: resolves every endpoint's Flaat
/// policy (so an unknown access level fails the start, naming it and the endpoint, and the
/// resolver's cache is warm), and warns when flaat's environment overrides are active.
/// </summary>
internal sealed partial class FlaatStartupCheck(IServiceProvider services, ILogger<FlaatStartupCheck> logger) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        CheckEnvironmentOverrides();
        CheckEndpoints();
    };

    private void CheckEndpoints()
    {
        if (services.GetService<EndpointDataSource>() is not { } endpoints)
        {
            return;
        }

        var resolver = services.GetRequiredService<FlaatEndpointPolicyResolver>();
        var errors = new List<string>();
        foreach (var endpoint in endpoints.Endpoints)
        {
            try
            {
                _ = resolver.GetPolicy(endpoint);
            }
            catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or FormatException)
            {
                errors.Add(exception.Message);
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Flaat: endpoints are misconfigured:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }
    }

    private void CheckEnvironmentOverrides()
    {
        var read = services.GetRequiredService<IOptions<FlaatEvaluatorOptions>>().Value.EnvironmentReader ?? Environment.GetEnvironmentVariable;
        var honoured = FlaatEnvironmentOverrides.AreHonoured(services);
        foreach (var variable in (ReadOnlySpan<string>)[FlaatEvaluator.DisableAuthenticationVariable, FlaatEvaluator.DisableAuthorizationVariable])
        {
            if (!string.Equals(read(variable), "YES", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (honoured)
            {
                LogOverrideActive(logger, variable);
            }
            else
            {
                LogOverrideIgnored(logger, variable);
            }
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Flaat: {Variable}=YES is active; requests are let through without the checks it disables. Never use this in production.")]
    private static partial void LogOverrideActive(ILogger logger, string variable);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Flaat: {Variable}=YES is set but ignored: overrides are honoured only in the Development environment or with Flaat:AllowEnvironmentOverrides.")]
    private static partial void LogOverrideIgnored(ILogger logger, string variable);
}
