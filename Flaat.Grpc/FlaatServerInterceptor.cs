using Flaat.AspNetCore;
using Flaat.Evaluation;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flaat.Grpc;

/// <summary>
/// Flaat's gRPC adapter: before a method's handler runs, reads the <c>authorization</c> metadata
/// entry, resolves the method's Flaat policy from its endpoint metadata (attributes on the service
/// class and method, <c>.RequireFlaat(...)</c> conventions on <c>MapGrpcService</c>), asks the one
/// <see cref="FlaatEvaluator"/>, and refuses the call with an <see cref="RpcException"/>. The same
/// gate guards all four call types, so a refused streaming call never reaches its handler.
/// </summary>
internal sealed partial class FlaatServerInterceptor : Interceptor
{
    // A call outside endpoint routing has no metadata: only RequireAuthenticationByDefault can protect it.
    private static readonly Endpoint NoEndpoint = new(null, EndpointMetadataCollection.Empty, "gRPC call without an endpoint");

    private readonly FlaatEvaluator _evaluator;
    private readonly FlaatTokenReaders _readers;
    private readonly FlaatEndpointPolicyResolver _resolver;
    private readonly TimeSpan _retryAfterWhenUnknown;
    private readonly ILogger _logger;

    public FlaatServerInterceptor(FlaatEvaluator evaluator, FlaatTokenReaders readers, FlaatEndpointPolicyResolver resolver, IOptions<FlaatEndpointOptions> options, ILogger<FlaatServerInterceptor> logger)
    {
        _evaluator = evaluator;
        _readers = readers;
        _resolver = resolver;
        _retryAfterWhenUnknown = options.Value.RetryAfterWhenUnknown;
        _logger = logger;
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await PassAsync(context);
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await PassAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await PassAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await PassAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    /// <summary>Returns when the call may proceed; throws the refusal otherwise.</summary>
    private async ValueTask PassAsync(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var policy = _resolver.GetPolicy(http.GetEndpoint() ?? NoEndpoint);
        if (!policy.IsProtected)
        {
            return;
        }

        // The token readers read the HTTP/2 headers, not the metadata built from them: several
        // authorization entries stay several values there (refused, never joined and sent on to an OP).
        var token = _readers.Read(http);
        var outcome = await _evaluator.EvaluateAsync(token, policy.Policy, context, context.CancellationToken);

        http.SetFlaatFeature(new FlaatFeature(outcome, token.HasToken));
        if (!outcome.IsAllowed)
        {
            var error = outcome.Error!;
            LogRefused(_logger, context.Method, error.StatusCode, error.Error, error.Description);
            throw FlaatGrpcStatus.ToRpcException(error, token.HasToken, _retryAfterWhenUnknown);
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "gRPC call {Method} refused: {StatusCode} {Error}: {Description}")]
    private static partial void LogRefused(ILogger logger, string method, int statusCode, string error, string description);
}
