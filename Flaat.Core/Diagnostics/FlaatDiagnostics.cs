namespace Flaat.Diagnostics;

/// <summary>
/// The names under which Flaat publishes its telemetry, to subscribe to (for example with
/// OpenTelemetry's <c>AddMeter</c> and <c>AddSource</c>). Neither metrics, spans nor log lines ever
/// carry an access token, an <c>Authorization</c> header or a URL that holds one.
/// </summary>
/// <remarks>
/// <para>
/// Metrics, on the meter <see cref="MeterName"/> (created from the application's
/// <see cref="System.Diagnostics.Metrics.IMeterFactory"/> when the engine is given one, as the ASP.NET
/// Core registration does): the counter <c>flaat.authentications</c> (tag <c>flaat.result</c>:
/// cached, accepted, rejected, unavailable, error), the counter <c>flaat.op.requests</c> and the
/// histogram <c>flaat.op.request.duration</c> (seconds, retries included; tags <c>flaat.issuer</c>,
/// <c>flaat.endpoint</c>: discovery, jwks, userinfo, introspection; <c>flaat.outcome</c>: ok,
/// rejected, unavailable, error), and the counter <c>flaat.cache.errors</c> (calls to the token cache
/// that threw; tag <c>flaat.cache.operation</c>: try_get, get, set).
/// </para>
/// <para>
/// Spans, on the activity source <see cref="ActivitySourceName"/>: <c>flaat.authenticate</c> for each
/// token that is not answered from the cache (tag <c>flaat.result</c>), and <c>flaat.op.request</c>
/// for each request to an OP (tags <c>flaat.issuer</c>, <c>flaat.endpoint</c>, <c>flaat.outcome</c>
/// and <c>http.response.status_code</c> when the OP answered).
/// </para>
/// <para>
/// Log event ids, each used once: 1xxx evaluation, 20xx the token engine, 21xx issuers and the OP
/// client, 30xx ASP.NET Core, 31xx gRPC, 32xx the shared cache on Redis (Flaat.Redis, which also
/// publishes <c>flaat.redis.errors</c>, <c>flaat.redis.lookups</c> and <c>flaat.redis.available</c> on this meter).
/// </para>
/// </remarks>
public static class FlaatDiagnostics
{
    /// <summary>The name of the meter Flaat's metrics are published on.</summary>
    public const string MeterName = "Flaat";

    /// <summary>The name of the activity source Flaat's spans come from.</summary>
    public const string ActivitySourceName = "Flaat";
}
