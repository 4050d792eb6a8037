using System.Net;
using System.Net.Http.Headers;
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
            ShouldHandle = static args => ValueTask.FromResult(IsTransient(args.Outcome)),
        });
        builder.AddTimeout(_options.RequestTimeout);
        return builder.Build();
    }

    /// <summary>GETs a JSON document (discovery, JWKS), retried on transient failures.</summary>
    public Task<OpResult> GetJsonAsync(OpTarget target, string endpoint, Uri uri, CancellationToken cancellationToken) =>
        SendAsync(target, endpoint, new RequestSpec(HttpMethod.Get, uri, null, null), idempotent: true, cancellationToken);

    /// <summary>GETs the userinfo of a bearer token (idempotent, so retried on transient failures like the other GETs).</summary>
    public Task<OpResult> GetUserInfoAsync(OpTarget target, Uri uri, string accessToken, CancellationToken cancellationToken) =>
        SendAsync(target, "userinfo", new RequestSpec(HttpMethod.Get, uri, new AuthenticationHeaderValue("Bearer", accessToken), null), idempotent: true, cancellationToken);

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

    private static bool IsTransient(Outcome<HttpAnswer> outcome) =>
        outcome.Exception switch
        {
            null => outcome.Result is { } answer && (answer.StatusCode >= 500 || answer.StatusCode == 408 || answer.StatusCode == 429),
            // Caller cancellation is not the OP's fault; a per-attempt timeout is (TimeoutRejectedException).
            OperationCanceledException => false,
            _ => true,
        };

    private async Task<OpResult> SendAsync(OpTarget target, string endpoint, RequestSpec spec, bool idempotent, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var result = await SendCoreAsync(target.Pipeline, spec, idempotent, cancellationToken).ConfigureAwait(false);
        var outcome = result.Kind switch
        {
            OpResultKind.Ok => "ok",
            OpResultKind.Rejected => "rejected",
            _ => "unavailable",
        };
        _metrics.OpRequest(target.Issuer, endpoint, outcome, _timeProvider.GetElapsedTime(started));
        return result;
    }

    private async Task<OpResult> SendCoreAsync(ResiliencePipeline<HttpAnswer> pipeline, RequestSpec spec, bool idempotent, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(IdempotentKey, idempotent);
        try
        {
            var answer = await pipeline.ExecuteAsync(
                static (ctx, state) => state.Client.SendOnceAsync(state.Spec, ctx.CancellationToken),
                context,
                (Client: this, Spec: spec)).ConfigureAwait(false);
            return Classify(answer);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (BrokenCircuitException e)
        {
            return OpResult.Unavailable("its circuit is open after repeated failures", retryAfter: e.RetryAfter);
        }
        catch (TimeoutRejectedException)
        {
            return OpResult.Unavailable($"it did not answer within {_options.RequestTimeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            return OpResult.Unavailable(e.HttpRequestError == HttpRequestError.Unknown ? "the request failed" : $"the request failed ({e.HttpRequestError})");
        }
        catch (OperationCanceledException)
        {
            // An HttpClient timeout of a caller-provided client, not the caller's cancellation.
            return OpResult.Unavailable("the request was cancelled by the HTTP client");
        }
        catch (ResponseTooLargeException)
        {
            return OpResult.Unavailable($"its answer exceeds {MaxResponseBytes} bytes");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static OpResult Classify(HttpAnswer answer)
    {
        var status = answer.StatusCode;
        if (status is >= 200 and < 300)
        {
            try
            {
                using var document = JsonDocument.Parse(answer.Body);
                return document.RootElement.ValueKind == JsonValueKind.Object
                    ? OpResult.Ok(status, document.RootElement.Clone())
                    : OpResult.Unavailable("its answer is not a JSON object", status);
            }
            catch (JsonException)
            {
                return OpResult.Unavailable("its answer is not JSON", status);
            }
        }

        return status is >= 400 and < 500 and not 408 and not 429
            ? OpResult.Rejected(status)
            : OpResult.Unavailable($"it answered with status {status}", status);
    }

    private async ValueTask<HttpAnswer> SendOnceAsync(RequestSpec spec, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(spec.Method, spec.Uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Authorization = spec.Authorization;
        if (spec.Form is not null)
        {
            request.Content = new FormUrlEncodedContent(spec.Form);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var body = await ReadLimitedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        return new HttpAnswer((int)response.StatusCode, body);
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

/// <summary>One raw answer of an OP (status and body), as the resilience pipeline sees it.</summary>
internal sealed record HttpAnswer(int StatusCode, byte[] Body);
