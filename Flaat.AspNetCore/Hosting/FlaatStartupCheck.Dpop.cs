using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>The start-up check of DPoP's <c>htu</c> origin.</summary>
internal sealed partial class FlaatStartupCheck
{
    /// <summary>
    /// Warns when DPoP is accepted (globally, by an issuer's mode or by an endpoint's own),
    /// <c>Flaat:Dpop:PublicOrigin</c> is unset and any host is allowed (<c>AllowedHosts</c> unset,
    /// <c>*</c>, or a wildcard such as <c>*.example.org</c>, whose sub-domain the client picks): a proof's <c>htu</c> is then compared with the
    /// request's own <c>Host</c>, which the client chooses, so a proof used at another API with the
    /// same paths (and a token it accepts too) could be replayed here within its lifetime.
    /// </summary>
    private void CheckDpopOrigin()
    {
        var options = services.GetService<IOptions<FlaatOptions>>()?.Value;
        if (options?.Dpop is not { PublicOrigin: null } dpop)
        {
            return;
        }

        var hosts = services.GetService<IConfiguration>()?["AllowedHosts"];
        if ((string.IsNullOrWhiteSpace(hosts) || hosts.Split(';', StringSplitOptions.TrimEntries).Any(h => h.StartsWith('*')))
            && (dpop.Mode != DpopMode.Disabled || (options.Issuers ?? []).Any(i => i?.Dpop is DpopMode.Allowed or DpopMode.Required) || EndpointsAcceptDpop()))
        {
            LogDpopOriginUnchecked(logger);
        }
    }

    private bool EndpointsAcceptDpop()
    {
        if (services.GetService<EndpointDataSource>() is not { } endpoints || services.GetService<FlaatEndpointPolicyResolver>() is not { } resolver)
        {
            return false;
        }

        foreach (var endpoint in endpoints.Endpoints)
        {
            try
            {
                if (resolver.GetPolicy(endpoint).Policy.Dpop is DpopMode.Allowed or DpopMode.Required)
                {
                    return true;
                }
            }
            catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or FormatException)
            {
                // Reported by CheckEndpoints.
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "DPoP is accepted, but Flaat:Dpop:PublicOrigin is not set and AllowedHosts allows any host: a proof's htu is compared with the Host header the client sends. Set Flaat:Dpop:PublicOrigin or AllowedHosts in production")]
    private static partial void LogDpopOriginUnchecked(ILogger logger);
}
