using Flaat.AspNetCore;
using Flaat.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Flaat's health check.</summary>
public static class FlaatHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check that reports each trusted issuer from what Flaat's engine already knows
    /// (configuration and key ages, the last OP failure, the circuit); it sends nothing to any OP.
    /// An issuer is unhealthy when its circuit is open or it was never reached, degraded when the
    /// configuration and keys in use are stale because its last request failed; the check reports
    /// <paramref name="failureStatus"/> only when every issuer is unhealthy, degraded when any issuer
    /// is not healthy. Needs <c>services.AddFlaat(...)</c>.
    /// </summary>
    /// <param name="builder">The application's health checks: <c>services.AddHealthChecks()</c>.</param>
    /// <param name="name">The check's name. Default <c>flaat</c>.</param>
    /// <param name="failureStatus">The status when every issuer is unhealthy; <see cref="HealthStatus.Unhealthy"/> when <see langword="null"/>.</param>
    /// <param name="tags">Tags to filter checks by (e.g. <c>ready</c>).</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddFlaat(this IHealthChecksBuilder builder, string name = "flaat", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            static services => new FlaatHealthCheck(services.GetService<IFlaatIssuerMonitor>()),
            failureStatus,
            tags));
    }
}
