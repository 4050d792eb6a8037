using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Flaat.Diagnostics;

/// <summary>
/// Flaat's instruments and spans (described on <see cref="FlaatDiagnostics"/>): one instance per
/// <see cref="IMeterFactory"/>, or the process-wide <see cref="Shared"/> one for code built without a
/// factory, so there is never more than one meter named <see cref="FlaatDiagnostics.MeterName"/> that
/// Flaat owns. Nothing here takes a token: only issuers, endpoint kinds, outcomes and status codes.
/// </summary>
internal sealed class FlaatTelemetry
{
    private static readonly ActivitySource Source = new(FlaatDiagnostics.ActivitySourceName, typeof(FlaatTelemetry).Assembly.GetName().Version?.ToString());
    private static readonly Lazy<FlaatTelemetry> SharedTelemetry = new(static () => new FlaatTelemetry(new Meter(FlaatDiagnostics.MeterName)));

    private readonly Counter<long> _authentications;
    private readonly Counter<long> _opRequests;
    private readonly Histogram<double> _opDuration;
    private readonly Counter<long> _cacheErrors;

    private FlaatTelemetry(Meter meter)
    {
        _authentications = meter.CreateCounter<long>("flaat.authentications", "{authentication}", "Access tokens authenticated, by result.");
        _opRequests = meter.CreateCounter<long>("flaat.op.requests", "{request}", "Requests to OPs, by issuer, endpoint and outcome.");
        _opDuration = meter.CreateHistogram<double>("flaat.op.request.duration", "s", "How long requests to OPs took, retries included.");
        _cacheErrors = meter.CreateCounter<long>("flaat.cache.errors", "{error}", "Calls to the token cache that threw, by operation.");
    }

    /// <summary>The telemetry of everything built without an <see cref="IMeterFactory"/>: one meter for the process, never disposed.</summary>
    public static FlaatTelemetry Shared => SharedTelemetry.Value;

    /// <summary>Telemetry on a meter of <paramref name="meterFactory"/> (which owns and disposes it), or <see cref="Shared"/>.</summary>
    public static FlaatTelemetry Create(IMeterFactory? meterFactory) =>
        meterFactory is null ? Shared : new FlaatTelemetry(meterFactory.Create(FlaatDiagnostics.MeterName));

    /// <summary>The value of <c>flaat.result</c> for an authentication that ended with this error status (none: accepted).</summary>
    public static string ResultOf(int? errorStatus) => errorStatus switch
    {
        null => "accepted",
        401 => "rejected",
        503 => "unavailable",
        _ => "error",
    };

    /// <summary>Counts one authentication; allocation-free, also on the cached path.</summary>
    public void Authenticated(string result) => _authentications.Add(1, new KeyValuePair<string, object?>("flaat.result", result));

    /// <summary>Counts one call to the token cache that threw (<paramref name="operation"/>: try_get, get, set).</summary>
    public void CacheFailed(string operation) => _cacheErrors.Add(1, new KeyValuePair<string, object?>("flaat.cache.operation", operation));

    /// <summary>
    /// Starts the span of an authentication the cache could not answer (the engine's own work: issuer
    /// resolution, verification, OP calls); <see langword="null"/> when nobody listens. The caller
    /// disposes it, after <see cref="SetAuthenticationResult"/>.
    /// </summary>
    public static Activity? StartAuthentication() => Source.StartActivity("flaat.authenticate", ActivityKind.Internal);

    /// <summary>Tags an authentication span with its result (<paramref name="errorStatus"/> as for <see cref="ResultOf"/>).</summary>
    public static void SetAuthenticationResult(Activity? activity, int? errorStatus)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("flaat.result", ResultOf(errorStatus));
        if (errorStatus is not (null or 401))
        {
            // An outage or a configuration fault; a rejected token is an expected result, not an error.
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    /// <summary>Starts the span of one request to an OP (retries included); <see langword="null"/> when nobody listens. The caller disposes it.</summary>
    public static Activity? StartOpRequest(string issuer, string endpoint)
    {
        var activity = Source.StartActivity("flaat.op.request", ActivityKind.Client);
        if (activity is not null)
        {
            activity.DisplayName = "OP " + endpoint;
            activity.SetTag("flaat.issuer", issuer);
            activity.SetTag("flaat.endpoint", endpoint);
        }

        return activity;
    }

    /// <summary>
    /// Records a finished OP request in the metrics and tags its span. <paramref name="problem"/> must
    /// never hold a token (an OP result's problem text does not).
    /// </summary>
    public void OpRequestEnded(Activity? activity, string issuer, string endpoint, string outcome, int statusCode, string? problem, TimeSpan duration)
    {
        var tags = new TagList
        {
            { "flaat.issuer", issuer },
            { "flaat.endpoint", endpoint },
            { "flaat.outcome", outcome },
        };
        _opRequests.Add(1, tags);
        _opDuration.Record(duration.TotalSeconds, tags);
        if (activity is null)
        {
            return;
        }

        activity.SetTag("flaat.outcome", outcome);
        if (statusCode > 0)
        {
            activity.SetTag("http.response.status_code", statusCode);
        }

        if (outcome is "unavailable" or "error")
        {
            activity.SetStatus(ActivityStatusCode.Error, problem);
        }
    }
}
