using System.Globalization;
using System.Text;
using Flaat.AspNetCore;
using Grpc.Core;

namespace Flaat.Grpc;

/// <summary>
/// How a <see cref="FlaatError"/> travels over gRPC: a status (401 → <see cref="StatusCode.Unauthenticated"/>,
/// 403 → <see cref="StatusCode.PermissionDenied"/>, 503 → <see cref="StatusCode.Unavailable"/>,
/// anything else → <see cref="StatusCode.Internal"/>) whose detail is the error description, and
/// trailers: flaat's JSON error body in <see cref="ErrorTrailer"/> (so clients can read
/// <c>error_details</c>), the RFC 6750 challenge in <c>www-authenticate</c> on a 401 or 403, and
/// <c>grpc-retry-pushback-ms</c> on a 503 (gRPC clients with a retry policy wait that long).
/// </summary>
public static class FlaatGrpcStatus
{
    /// <summary>The binary trailer carrying flaat's error body (<c>{"error", "error_description", "error_details"}</c>) as UTF-8 JSON.</summary>
    public const string ErrorTrailer = "flaat-error-bin";

    private const string ChallengeTrailer = "www-authenticate";
    private const string PushbackTrailer = "grpc-retry-pushback-ms";

    /// <summary>The gRPC status code that stands for an error's HTTP status.</summary>
    /// <param name="error">The error.</param>
    public static StatusCode ToStatusCode(FlaatError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.StatusCode switch
        {
            401 => StatusCode.Unauthenticated,
            403 => StatusCode.PermissionDenied,
            503 => StatusCode.Unavailable,
            _ => StatusCode.Internal,
        };
    }

    /// <summary>The exception that ends a call with the error (thrown by Flaat's interceptor; handlers may throw it too).</summary>
    /// <param name="error">The error.</param>
    /// <param name="tokenPresented">Whether the call carried a bearer token (decides the 401 challenge, as over HTTP).</param>
    /// <param name="retryAfterWhenUnknown">The pushback of a 503 whose error does not say when to retry; none when <see langword="null"/>.</param>
    public static RpcException ToRpcException(FlaatError error, bool tokenPresented, TimeSpan? retryAfterWhenUnknown = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var trailers = new Metadata { { ErrorTrailer, Encoding.UTF8.GetBytes(error.ToJson()) } };
        if (error.StatusCode == 401 && error.Challenges is { } challenges)
        {
            foreach (var value in challenges)
            {
                trailers.Add(ChallengeTrailer, value);
            }

            if (error.DpopNonce is { } nonce)
            {
                trailers.Add("dpop-nonce", nonce);
            }
        }
        else if (FlaatResponseWriter.GetChallenge(error, tokenPresented) is { } challenge)
        {
            trailers.Add(ChallengeTrailer, challenge);
        }

        if (error.StatusCode == 503 && (error.RetryAfter ?? retryAfterWhenUnknown) is { } retryAfter)
        {
            trailers.Add(PushbackTrailer, ((long)Math.Ceiling(Math.Max(0, retryAfter.TotalMilliseconds))).ToString(CultureInfo.InvariantCulture));
        }

        return new RpcException(new Status(ToStatusCode(error), error.Description), trailers, error.Description);
    }
}
