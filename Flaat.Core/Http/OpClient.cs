using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Flaat.Http;

/// <summary>
/// Calls OPs over HTTP through a resilience pipeline per issuer: a timeout per attempt, retries of
/// idempotent GETs on transient failures, and a circuit breaker so a dead OP fails fast. Answers
/// are classified into <see cref="OpResult"/>; caller cancellation is always rethrown.
/// </summary>
/// <remarks>
/// Only the OP's faults count against it: a network or protocol failure, a timeout, a 5xx/408/429,
/// a redirect (never followed), a 2xx whose body is not a JSON object, an answer too large. A fault
/// on this side, before the request leaves the machine (a token that cannot be a header value, a
/// request that cannot be built, a handler that throws), is never an OP outage: it is not retried,
/// not seen by the circuit breaker and not reported as a 503.
/// </remarks>
internal sealed class OpClient
{
    /// <summary>The largest answer read from an OP; a bigger one is refused.</summary>
    internal const int MaxResponseBytes = 1 << 20;

    private static readonly ResiliencePropertyKey<bool> IdempotentKey = new("Flaat.Idempotent");

    private readonly HttpClient _http;
    private readonly FlaatOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly FlaatMetrics _metrics;

    public OpClient(HttpClient http, FlaatOptions options, TimeProvider timeProvider, FlaatMetrics metrics)
    {
        _http = http;
        _options = options;
        _timeProvider = timeProvider;
        _metrics = metrics;
    }

    /// <summary>Builds the pipeline of one issuer (its own circuit).</summary>
    public ResiliencePipeline<HttpAnswer> CreatePipeline()
    {
        var resilience = _options.Resilience;
        var builder = new ResiliencePipelineBuilder<HttpAnswer> { TimeProvider = _timeProvider };
        if (resilience.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpAnswer>
            {
                MaxRetryAttempts = resilience.MaxRetries,
                // An immediate retry: the per-attempt timeout already bounds the wait, and a caller is waiting.
                Delay = TimeSpan.Zero,
                BackoffType = DelayBackoffType.Constant,
                ShouldHandle = static args => ValueTask.FromResult(
                    args.Context.Properties.GetValue(IdempotentKey, false) && IsTransient(args.Outcome)),
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpAnswer>
        {
            // Every call in the window failed, and at least the threshold of them: "N failures in a row".
            FailureRatio = 1.0,
            MinimumThroughput = resilience.CircuitBreakerFailureThreshold,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = resilience.CircuitBreakDuration,
            ShouldHandle = static args => ValueTask.FromResult(IsOpFailure(args.Outcome)),
        });
        builder.AddTimeout(_options.RequestTimeout);
        return builder.Build();
    }

    /// <summary>GETs a JSON document (discovery, JWKS), retried on transient failures.</summary>
    public Task<OpResult> GetJsonAsync(OpTarget target, string endpoint, Uri uri, CancellationToken cancellationToken) =>
        SendAsync(target, endpoint, new RequestSpec(HttpMethod.Get, uri, null, null), idempotent: true, cancellationToken);

    /// <summary>
    /// GETs the userinfo of a bearer token (idempotent, so retried on transient failures like the
    /// other GETs). A token that cannot be an HTTP header value is not sent: the OP could never have
    /// accepted it, so it is <see cref="OpResultKind.Rejected"/> (status 0) without a request.
    /// </summary>
    public Task<OpResult> GetUserInfoAsync(OpTarget target, Uri uri, string accessToken, CancellationToken cancellationToken) =>
        IsHeaderToken(accessToken)
            ? SendAsync(target, "userinfo", new RequestSpec(HttpMethod.Get, uri, new AuthenticationHeaderValue("Bearer", accessToken), null), idempotent: true, cancellationToken)
            : Task.FromResult(OpResult.Rejected(0, "the token cannot be sent in an HTTP header"));

    /// <summary>POSTs a token to an introspection endpoint with HTTP Basic client authentication (RFC 7662). Never retried.</summary>
    public Task<OpResult> IntrospectAsync(OpTarget target, Uri uri, string accessToken, string clientId, string clientSecret, CancellationToken cancellationToken)
    {
        // RFC 6749 2.3.1: the client id and secret are form-encoded before they are joined and base64-encoded.
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(clientSecret)}"));
        var form = new Dictionary<string, string>(2, StringComparer.Ordinal)
        {
            ["token"] = accessToken,
            ["token_type_hint"] = "access_token",
        };
        return SendAsync(target, "introspection", new RequestSpec(HttpMethod.Post, uri, new AuthenticationHeaderValue("Basic", credentials), form), idempotent: false, cancellationToken);
    }

    /// <summary>Worth another attempt: a network failure, a timeout, a 5xx, 408 or 429.</summary>
    private static bool IsTransient(Outcome<HttpAnswer> outcome) =>
        outcome.Exception switch
        {
            null => outcome.Result is { } answer && IsTransientStatus(answer.StatusCode),
            // Caller cancellation is not the OP's fault; a per-attempt timeout is (TimeoutRejectedException).
            OperationCanceledException => false,
            // Local faults never get here: SendOnceAsync turns them into an answer with a LocalFault.
            _ => true,
        };

    /// <summary>
    /// What the circuit breaker counts: the transient failures, and answers that are the OP's fault
    /// although another attempt would not mend them (a redirect, a 2xx that is not a JSON object).
    /// </summary>
    private static bool IsOpFailure(Outcome<HttpAnswer> outcome) =>
        IsTransient(outcome)
        || (outcome.Result is { LocalFault: null, PerAnswer: false } answer && (IsRedirect(answer.StatusCode) || answer.Problem is not null));

    private static bool IsTransientStatus(int status) => status >= 500 || status == 408 || status == 429;

    private static bool IsRedirect(int status) => status is >= 300 and < 400;

    /// <summary>
    /// Whether an <see cref="HttpRequestException"/> means the OP (or the network to it) failed,
    /// rather than this side: a failure this machine caused (a header value the handler refuses,
    /// credentials this side configured) says nothing about the OP.
    /// </summary>
    internal static bool IsNetworkFailure(HttpRequestException exception) => exception.HttpRequestError switch
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

    /// <summary>Whether a token can be the value of an <c>Authorization: Bearer</c> header (visible ASCII, no white space).</summary>
    internal static bool IsHeaderToken(string token) => token.Length > 0 && !token.AsSpan().ContainsAnyExceptInRange('!', '~');

    private async Task<OpResult> SendAsync(OpTarget target, string endpoint, RequestSpec spec, bool idempotent, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var (result, localFault) = await SendCoreAsync(target.Pipeline, spec, idempotent, cancellationToken).ConfigureAwait(false);
        var outcome = localFault is not null ? "error" : result!.Kind switch
        {
            OpResultKind.Ok => "ok",
            OpResultKind.Rejected => "rejected",
            _ => "unavailable",
        };
        _metrics.OpRequest(target.Issuer, endpoint, outcome, _timeProvider.GetElapsedTime(started));
        return result ?? throw new FlaatException(
            $"The request to the {endpoint} endpoint of issuer {target.Issuer} failed on this machine before it reached the OP ({localFault}); this is not an OP outage");
    }

    private async Task<(OpResult? Result, string? LocalFault)> SendCoreAsync(ResiliencePipeline<HttpAnswer> pipeline, RequestSpec spec, bool idempotent, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(IdempotentKey, idempotent);
        try
        {
            var answer = await pipeline.ExecuteAsync(
                static (ctx, state) => state.Client.SendOnceAsync(state.Spec, ctx.CancellationToken),
                context,
                (Client: this, Spec: spec)).ConfigureAwait(false);
            return answer.LocalFault is { } fault ? (null, fault) : (Classify(answer), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (BrokenCircuitException e)
        {
            return (OpResult.Unavailable("its circuit is open after repeated failures", retryAfter: e.RetryAfter), null);
        }
        catch (TimeoutRejectedException)
        {
            return (OpResult.Unavailable($"it did not answer within {_options.RequestTimeout.TotalSeconds:0.###} s"), null);
        }
        catch (HttpRequestException e)
        {
            return (OpResult.Unavailable(e.HttpRequestError == HttpRequestError.Unknown ? "the request failed" : $"the request failed ({e.HttpRequestError})"), null);
        }
        catch (OperationCanceledException)
        {
            // An HttpClient timeout of a caller-provided client, not the caller's cancellation.
            return (OpResult.Unavailable("the request was cancelled by the HTTP client"), null);
        }
        catch (IOException e)
        {
            // The answer broke off while its body was read.
            return (OpResult.Unavailable($"its answer could not be read ({e.GetType().Name})"), null);
        }
        catch (ResponseTooLargeException)
        {
            return (OpResult.Unavailable($"its answer exceeds {MaxResponseBytes} bytes"), null);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static OpResult Classify(HttpAnswer answer)
    {
        var status = answer.StatusCode;
        if (answer.Problem is { } problem)
        {
            return OpResult.Unavailable(problem, status);
        }

        if (status is >= 200 and < 300)
        {
            return OpResult.Ok(status, answer.Json);
        }

        if (IsRedirect(status))
        {
            return OpResult.Unavailable($"it answered with a redirect (status {status}), which Flaat does not follow", status);
        }

        return status is >= 400 and < 500 and not 408 and not 429
            ? OpResult.Rejected(status)
            : OpResult.Unavailable($"it answered with status {status}", status);
    }

    /// <summary>The JSON object of a 2xx body, or why there is none (the OP's fault: the breaker counts it, see <see cref="IsOpFailure"/>).</summary>
    private static HttpAnswer ReadJson(int status, byte[] body) => ReadableJson.ParseObject(body, out var json) switch
    {
        ReadableJson.Problem.None => new HttpAnswer(status, json),
        ReadableJson.Problem.NotObject => new HttpAnswer(status, default, Problem: "its answer is not a JSON object"),
        // A claim that cannot be read would otherwise throw wherever it is used; one user's badly
        // encoded claim is no fault of the OP's service, so the breaker does not count it.
        ReadableJson.Problem.Unreadable => new HttpAnswer(status, default, Problem: "its answer holds a string that is not valid Unicode", PerAnswer: true),
        _ => new HttpAnswer(status, default, Problem: "its answer is not JSON without repeated members"),
    };

    private async ValueTask<HttpAnswer> SendOnceAsync(RequestSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(spec.Method, spec.Uri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.Authorization = spec.Authorization;
            if (spec.Form is not null)
            {
                request.Content = new FormUrlEncodedContent(spec.Form);
            }

            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!ReferenceEquals(request.RequestUri, spec.Uri) && request.RequestUri != spec.Uri)
            {
                // A caller-provided client followed a redirect: what came back is another URL's answer.
                return new HttpAnswer((int)response.StatusCode, default, Problem: "it redirected the request to another URL, whose answer Flaat does not use");
            }

            var status = (int)response.StatusCode;
            var body = await ReadLimitedAsync(response.Content, cancellationToken).ConfigureAwait(false);
            return status is >= 200 and < 300 ? ReadJson(status, body) : new HttpAnswer(status, default);
        }
        catch (HttpRequestException e) when (!IsNetworkFailure(e))
        {
            return HttpAnswer.Local($"{nameof(HttpRequestException)}, {e.HttpRequestError}");
        }
        catch (Exception e) when (e is not (OperationCanceledException or HttpRequestException or IOException or ResponseTooLargeException))
        {
            // Building or sending the request failed here (a handler's or header validation's
            // exception). Its message is not kept: it may quote a header value, i.e. the token.
            return HttpAnswer.Local(e.GetType().Name);
        }
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxResponseBytes)
        {
            throw new ResponseTooLargeException();
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxResponseBytes)
                {
                    throw new ResponseTooLargeException();
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private sealed record RequestSpec(HttpMethod Method, Uri Uri, AuthenticationHeaderValue? Authorization, Dictionary<string, string>? Form)
    {
        // The Authorization header and the form carry the access token: a printed RequestSpec must not.
        private bool PrintMembers(System.Text.StringBuilder builder)
        {
            builder.Append("Method = ").Append(Method).Append(", Uri = ").Append(Uri);
            return true;
        }
    }

#pragma warning disable CA1032, CA1064 // Private signal between two methods of this class.
    private sealed class ResponseTooLargeException : Exception;
#pragma warning restore CA1032, CA1064
}

/// <summary>Where a call goes: an issuer (for metrics) and its resilience pipeline (its own circuit).</summary>
internal sealed record OpTarget(string Issuer, ResiliencePipeline<HttpAnswer> Pipeline);

/// <summary>
/// One answer of an OP as the resilience pipeline sees it: the status, the JSON object of a 2xx
/// (or why the answer cannot be used), or a fault on this side that sent nothing to the OP.
/// </summary>
/// <remarks>
/// <c>PerAnswer</c>: the problem lies in what this one answer says (a user's claim the OP encoded
/// badly), not in the OP serving: it fails the token, but the circuit breaker does not count it.
/// </remarks>
internal sealed record HttpAnswer(int StatusCode, JsonElement Json, string? Problem = null, string? LocalFault = null, bool PerAnswer = false)
{
    public static HttpAnswer Local(string fault) => new(0, default, LocalFault: fault);
}
