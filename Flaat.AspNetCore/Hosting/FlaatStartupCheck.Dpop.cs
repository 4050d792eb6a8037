using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>The start-up check of DPoP's <c>htu</c> origin.</summary>
internal sealed partial class FlaatStartupCheck
{
    /// <summary>
    /// Warns when DPoP is accepted, <c>Flaat:Dpop:PublicOrigin</c> is unset and any host is allowed
    /// (<c>AllowedHosts</c> unset or <c>*</c>): a proof's <c>htu</c> is then compared with the
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

        var accepted = dpop.Mode != DpopMode.Disabled || (options.Issuers ?? []).Any(i => i?.Dpop is DpopMode.Allowed or DpopMode.Required);
        var hosts = services.GetService<IConfiguration>()?["AllowedHosts"];
        if (accepted && (string.IsNullOrWhiteSpace(hosts) || hosts.Split(';', StringSplitOptions.TrimEntries).Contains("*")))
        {
            LogDpopOriginUnchecked(logger);
        }
    }

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "DPoP is accepted, but Flaat:Dpop:PublicOrigin is not set and AllowedHosts allows any host: a proof's htu is compared with the Host header the client sends. Set Flaat:Dpop:PublicOrigin or AllowedHosts in production")]
    private static partial void LogDpopOriginUnchecked(ILogger logger);
}
