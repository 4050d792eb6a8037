using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Flaat;

/// <summary>
/// The engine's metrics, on the meter <see cref="FlaatAuthenticator.MeterName"/>:
/// <c>flaat.authentications</c> (by <c>flaat.result</c>: cached, accepted, rejected, unavailable, error),
/// <c>flaat.op.requests</c> and <c>flaat.op.request.duration</c> (by <c>flaat.issuer</c>,
/// <c>flaat.endpoint</c> and <c>flaat.outcome</c>: ok, rejected, unavailable).
/// </summary>
internal sealed class FlaatMetrics : IDisposable
{
    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _authentications;
    private readonly Counter<long> _opRequests;
    private readonly Histogram<double> _opDuration;

    public FlaatMetrics(IMeterFactory? meterFactory)
    {
        Meter meter;
        if (meterFactory is null)
        {
            meter = _ownedMeter = new Meter(FlaatAuthenticator.MeterName);
        }
        else
        {
            meter = meterFactory.Create(FlaatAuthenticator.MeterName);
        }

        _authentications = meter.CreateCounter<long>("flaat.authentications", "{authentication}", "Access tokens authenticated, by result.");
        _opRequests = meter.CreateCounter<long>("flaat.op.requests", "{request}", "Requests to OPs, by issuer, endpoint and outcome.");
        _opDuration = meter.CreateHistogram<double>("flaat.op.request.duration", "s", "How long requests to OPs took, retries included.");
    }

    /// <summary>Counts one authentication; allocation-free, also on the cached path.</summary>
    public void Authenticated(string result) => _authentications.Add(1, new KeyValuePair<string, object?>("flaat.result", result));

    public void OpRequest(string issuer, string endpoint, string outcome, TimeSpan duration)
    {
        var tags = new TagList
        {
            { "flaat.issuer", issuer },
            { "flaat.endpoint", endpoint },
            { "flaat.outcome", outcome },
        };
        _opRequests.Add(1, tags);
        _opDuration.Record(duration.TotalSeconds, tags);
    }

    public void Dispose() => _ownedMeter?.Dispose();
}
