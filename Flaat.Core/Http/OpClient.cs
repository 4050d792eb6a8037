using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using System.Text;
using Flaat.Diagnostics;
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
/// Only the OP's faults count against it (<see cref="OpFaults"/>). A fault on this side, before the
/// request leaves the machine (a token that cannot be a header value, a request that cannot be
/// built, a handler that throws), is never an OP outage: it is not retried, not seen by the circuit
/// breaker, not recorded as the OP's failure and not reported as a 503. Every call is counted and
/// traced by <see cref="FlaatTelemetry"/>; no token reaches a tag.
/// </remarks>
internal sealed class OpClient
{
    private static readonly ResiliencePropertyKey<bool> IdempotentKey = new("Flaat.Idempotent");

    private readonly HttpClient _http;
    private readonly FlaatOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly FlaatTelemetry _telemetry;

    public OpClient(HttpClient http, FlaatOptions options, TimeProvider timeProvider, FlaatTelemetry telemetry)
    {
        _http = http;
        _options = options;
        _timeProvider = timeProvider;
        _telemetry = telemetry;
    }

    /// <summary>A monitored target: one issuer's pipeline (its own circuit), whose state and failures <see cref="OpTarget.Health"/> shows.</summary>
    public OpTarget CreateTarget(string issuer)
    {
        var health = new OpHealth();
        return new OpTarget(issuer, CreatePipeline(health.CircuitProvider)) { Health = health };
    }

    // Polly's AddRetry/AddCircuitBreaker keep all members of their options types for validation
    // (DynamicallyAccessedMembers.All), which reaches Exception.TargetSite and Enum.GetValues(Type); nothing calls them.
    /// <summary>Builds the pipeline of one issuer (its own circuit), whose circuit <paramref name="circuit"/> reads when given.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Polly keeps its options' members for validation only; Exception.TargetSite is never read.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Polly keeps its options' members for validation only; Enum.GetValues(Type) is never called.")]
    public ResiliencePipeline<HttpAnswer> CreatePipeline(CircuitBreakerStateProvider? circuit = null)
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
                    args.Context.Properties.GetValue(IdempotentKey, false) && OpFaults.IsTransient(args.Outcome)),
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpAnswer>
        {
            // Every call in the window failed, and at least the threshold of them: "N failures in a row".
            FailureRatio = 1.0,
            MinimumThroughput = resilience.CircuitBreakerFailureThreshold,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = resilience.CircuitBreakDuration,
            ShouldHandle = static args => ValueTask.FromResult(OpFaults.IsOpFailure(args.Outcome)),
            StateProvider = circuit,
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

    /// <summary>Whether a token can be the value of an <c>Authorization: Bearer</c> header (visible ASCII, no white space).</summary>
    internal static bool IsHeaderToken(string token) => token.Length > 0 && !token.AsSpan().ContainsAnyExceptInRange('!', '~');

    private async Task<OpResult> SendAsync(OpTarget target, string endpoint, RequestSpec spec, bool idempotent, CancellationToken cancellationToken)
    {
        using var activity = FlaatTelemetry.StartOpRequest(target.Issuer, endpoint);
        var started = _timeProvider.GetTimestamp();
        var (result, localFault, opFault) = await SendCoreAsync(target.Pipeline, spec, idempotent, cancellationToken).ConfigureAwait(false);
        var outcome = localFault is not null ? "error" : result!.Kind switch
        {
            OpResultKind.Ok => "ok",
            OpResultKind.Rejected => "rejected",
            _ => "unavailable",
        };
        _telemetry.OpRequestEnded(activity, target.Issuer, endpoint, outcome, result?.StatusCode ?? 0, result?.Problem ?? localFault, _timeProvider.GetElapsedTime(started));
        if (opFault)
        {
            target.Health?.Failed(503, $"The OP {target.Issuer} could not be reached at its {endpoint} endpoint: {result!.Problem}", _timeProvider.GetUtcNow());
        }

        return result ?? throw new FlaatException(
            $"The request to the {endpoint} endpoint of issuer {target.Issuer} failed on this machine before it reached the OP ({localFault}); this is not an OP outage");
    }

    /// <summary>One call: its result, or the local fault that kept it from the OP; <c>OpFault</c>: an outage of the OP (not one answer's fault, nor an open circuit).</summary>
    private async Task<(OpResult? Result, string? LocalFault, bool OpFault)> SendCoreAsync(ResiliencePipeline<HttpAnswer> pipeline, RequestSpec spec, bool idempotent, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(IdempotentKey, idempotent);
        try
        {
            var answer = await pipeline.ExecuteAsync(
                static (ctx, state) => state.Client.SendOnceAsync(state.Spec, ctx.CancellationToken),
                context,
                (Client: this, Spec: spec)).ConfigureAwait(false);
            if (answer.LocalFault is { } fault)
            {
                return (null, fault, false);
            }

            var result = Classify(answer);
            return (result, null, result.Kind == OpResultKind.Unavailable && !answer.PerAnswer);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (BrokenCircuitException e)
        {
            return (OpResult.Unavailable("its circuit is open after repeated failures", retryAfter: e.RetryAfter), null, false);
        }
        catch (TimeoutRejectedException)
        {
            return (OpResult.Unavailable($"it did not answer within {_options.RequestTimeout.TotalSeconds:0.###} s"), null, true);
        }
        catch (HttpRequestException e)
        {
            return (OpResult.Unavailable(e.HttpRequestError == HttpRequestError.Unknown ? "the request failed" : $"the request failed ({e.HttpRequestError})"), null, true);
        }
        catch (OperationCanceledException)
        {
            // An HttpClient timeout of a caller-provided client, not the caller's cancellation.
            return (OpResult.Unavailable("the request was cancelled by the HTTP client"), null, true);
        }
        catch (IOException e)
        {
            // The answer broke off while its body was read.
            return (OpResult.Unavailable($"its answer could not be read ({e.GetType().Name})"), null, true);
        }
        catch (HttpAnswer.TooLargeException)
        {
            return (OpResult.Unavailable($"its answer exceeds {HttpAnswer.MaxResponseBytes} bytes"), null, true);
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

        if (OpFaults.IsRedirect(status))
        {
            return OpResult.Unavailable($"it answered with a redirect (status {status}), which Flaat does not follow", status);
        }

        return status is >= 400 and < 500 and not 408 and not 429
            ? OpResult.Rejected(status)
            : OpResult.Unavailable($"it answered with status {status}", status);
    }

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

            return await HttpAnswer.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (!OpFaults.IsNetworkFailure(e))
        {
            return HttpAnswer.Local($"{nameof(HttpRequestException)}, {e.HttpRequestError}");
        }
        catch (Exception e) when (e is not (OperationCanceledException or HttpRequestException or IOException or HttpAnswer.TooLargeException))
        {
            // Building or sending the request failed here (a handler's or header validation's
            // exception). Its message is not kept: it may quote a header value, i.e. the token.
            return HttpAnswer.Local(e.GetType().Name);
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
}
