using System.Globalization;
using Flaat.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Flaat.AspNetCore;

/// <summary>
/// Reports each trusted issuer as Flaat's engine sees it (<see cref="IFlaatIssuerMonitor"/>); asks no OP.
/// An issuer is <see cref="HealthStatus.Unhealthy"/> when its circuit is open or it failed before
/// any configuration could be loaded, <see cref="HealthStatus.Degraded"/> when its last request
/// failed after the configuration and keys in use were loaded (they are served stale) or its circuit
/// is probing again, and <see cref="HealthStatus.Healthy"/> otherwise (also before it was first asked).
/// The API is unhealthy only when every issuer is (tokens of a healthy OP still work), degraded when
/// any issuer is not healthy. The data holds one line per issuer: never a token or a secret.
/// </summary>
internal sealed class FlaatHealthCheck(IFlaatIssuerMonitor? monitor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (monitor is null)
        {
            // A misconfiguration, reported where it is looked for rather than as an exception out of /healthz.
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus,
                "Flaat is not registered: call services.AddFlaat(...) as well as AddHealthChecks().AddFlaat()."));
        }

        var issuers = monitor.GetIssuers();
        if (issuers.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("The authenticator keeps no issuers of its own."));
        }

        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        int unhealthy = 0, degraded = 0;
        foreach (var issuer in issuers)
        {
            var (status, why) = Judge(issuer);
            unhealthy += status == HealthStatus.Unhealthy ? 1 : 0;
            degraded += status == HealthStatus.Degraded ? 1 : 0;
            data[issuer.Issuer] = Describe(issuer, status, why);
        }

        var summary = string.Create(CultureInfo.InvariantCulture, $"{issuers.Count} trusted issuers: {issuers.Count - unhealthy - degraded} healthy, {degraded} degraded, {unhealthy} unhealthy.");
        var result = unhealthy == issuers.Count
            ? new HealthCheckResult(context.Registration.FailureStatus, summary, data: data)
            : unhealthy + degraded > 0
                ? HealthCheckResult.Degraded(summary, data: data)
                : HealthCheckResult.Healthy(summary, data);
        return Task.FromResult(result);
    }

    /// <summary>One issuer's status and the reason for it.</summary>
    internal static (HealthStatus Status, string Why) Judge(FlaatIssuerState issuer)
    {
        if (issuer.Circuit == FlaatCircuitState.Open)
        {
            return (HealthStatus.Unhealthy, "its circuit is open after repeated failures");
        }

        if (issuer.ConfigurationLoadedAt is not { } configured)
        {
            return issuer.LastError is null
                ? (HealthStatus.Healthy, "not asked yet")
                : (HealthStatus.Unhealthy, "never reached");
        }

        var lastLoad = issuer.KeysLoadedAt is { } keys && keys > configured ? keys : configured;
        if (issuer.LastError is { } error && error.OccurredAt >= lastLoad)
        {
            return (HealthStatus.Degraded, "its last request failed; the configuration and keys in use are from before");
        }

        return issuer.Circuit == FlaatCircuitState.HalfOpen
            ? (HealthStatus.Degraded, "its circuit is trying the OP again")
            : (HealthStatus.Healthy, "configuration and keys loaded");
    }

    private static string Describe(FlaatIssuerState issuer, HealthStatus status, string why)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{status}: {why}; configuration {Age(issuer.ConfigurationAge)}, keys {Age(issuer.KeysAge)} ({issuer.KeyCount}), circuit {issuer.Circuit}");
        return issuer.LastError is { } error
            ? string.Create(CultureInfo.InvariantCulture, $"{text}; last error at {error.OccurredAt:O}: {error.StatusCode} {error.Description}")
            : text;
    }

    private static string Age(TimeSpan? age) =>
        age is { } value ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0} s old") : "not loaded";
}
