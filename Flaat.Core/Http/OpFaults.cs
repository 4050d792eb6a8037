using System.Net.Sockets;
using System.Security.Authentication;
using Polly;

namespace Flaat.Http;

/// <summary>
/// Whose fault a failed call is, for the retry and the circuit breaker of <see cref="OpClient"/>.
/// Only the OP's faults count against it: a network or protocol failure, a timeout, a 5xx/408/429,
/// a redirect (never followed), a 2xx whose body is not a JSON object, an answer too large. A fault
/// on this side, before the request leaves the machine, is never an OP outage.
/// </summary>
internal static class OpFaults
{
    /// <summary>Worth another attempt: a network failure, a timeout, a 5xx, 408 or 429.</summary>
    public static bool IsTransient(Outcome<HttpAnswer> outcome) =>
        outcome.Exception switch
        {
            null => outcome.Result is { } answer && IsTransientStatus(answer.StatusCode),
            // Caller cancellation is not the OP's fault; a per-attempt timeout is (TimeoutRejectedException).
            OperationCanceledException => false,
            // Local faults never get here: the client turns them into an answer with a LocalFault.
            _ => true,
        };

    /// <summary>
    /// What the circuit breaker counts: the transient failures, and answers that are the OP's fault
    /// although another attempt would not mend them (a redirect, a 2xx that is not a JSON object).
    /// </summary>
    public static bool IsOpFailure(Outcome<HttpAnswer> outcome) =>
        IsTransient(outcome)
        || (outcome.Result is { LocalFault: null, PerAnswer: false } answer && (IsRedirect(answer.StatusCode) || answer.Problem is not null));

    public static bool IsTransientStatus(int status) => status >= 500 || status == 408 || status == 429;

    public static bool IsRedirect(int status) => status is >= 300 and < 400;

    /// <summary>
    /// Whether an <see cref="HttpRequestException"/> means the OP (or the network to it) failed,
    /// rather than this side: a failure this machine caused (a header value the handler refuses,
    /// credentials this side configured) says nothing about the OP.
    /// </summary>
    public static bool IsNetworkFailure(HttpRequestException exception) => exception.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError
            or HttpRequestError.ConnectionError
            or HttpRequestError.SecureConnectionError
            or HttpRequestError.HttpProtocolError
            or HttpRequestError.ExtendedConnectNotSupported
            or HttpRequestError.VersionNegotiationError
            or HttpRequestError.ProxyTunnelError
            or HttpRequestError.InvalidResponse
            or HttpRequestError.ResponseEnded
            or HttpRequestError.ConfigurationLimitExceeded => true,
        HttpRequestError.UserAuthenticationError => false,
        // Unknown: a network failure shows as an I/O, socket or TLS exception inside; without one it is
        // a request this machine refused to send (e.g. "Request headers must contain only ASCII characters").
        _ => exception.InnerException is IOException or SocketException or AuthenticationException,
    };
}
