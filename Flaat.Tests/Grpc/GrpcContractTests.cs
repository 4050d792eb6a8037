using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Flaat.AspNetCore;
using Flaat.Grpc;
using Flaat.Tests.AspNetCore;
using Flaat.Tests.Grpc.Proto;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.Grpc;

/// <summary>
/// The adapter contract against gRPC: each contract request becomes a call to the Contract
/// service (attributes on the class and methods), made by a real gRPC client; its status and
/// trailers are read back as the HTTP response the contract asserts (401/403/500/503, flaat's body
/// from <c>flaat-error-bin</c>, the challenge from <c>www-authenticate</c>, Retry-After from the
/// pushback). On-failure hooks replace HTTP responses and are not part of the gRPC adapter.
/// </summary>
public sealed class GrpcContractTests : FlaatAdapterContract
{
    protected override void ConfigureServices(IServiceCollection services) => services.AddGrpc().AddFlaat();

    protected override void MapEndpoints(WebApplication app) => app.MapGrpcService<ContractService>();

    protected override async Task<HttpResponseMessage> SendAsync(WebApplication app, HttpClient client, string path, string? authorization)
    {
        var server = app.GetTestServer();
        using var channel = GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.CreateHandler() });
        var contract = new Contract.ContractClient(channel);
        var headers = new Metadata();
        if (authorization is not null)
        {
            headers.Add("authorization", authorization);
        }

        // "/request/{name}": the name travels as call metadata, where the request requirement reads it.
        var segments = path.Trim('/').Split('/');
        if (segments.Length == 2)
        {
            headers.Add(Probe.NameHeader, segments[1]);
        }

        var request = new ProbeRequest();
        try
        {
            var reply = segments[0] switch
            {
                "authenticated" => await contract.AuthenticatedAsync(request, headers),
                "admin" => await contract.AdminAsync(request, headers),
                "claim" => await contract.ClaimAsync(request, headers),
                "vo" => await contract.VoAsync(request, headers),
                "audience" => await contract.AudienceAsync(request, headers),
                "request" => await contract.RequestAsync(request, headers),
                "optional" => await contract.OptionalAsync(request, headers),
                _ => throw new ArgumentException($"No gRPC method stands for {path}", nameof(path)),
            };
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(reply.Text) };
        }
        catch (RpcException exception)
        {
            return AsHttpResponse(exception);
        }
    }

    private static HttpResponseMessage AsHttpResponse(RpcException exception)
    {
        var status = exception.StatusCode switch
        {
            StatusCode.Unauthenticated => HttpStatusCode.Unauthorized,
            StatusCode.PermissionDenied => HttpStatusCode.Forbidden,
            StatusCode.Unavailable => HttpStatusCode.ServiceUnavailable,
            StatusCode.Internal => HttpStatusCode.InternalServerError,
            _ => throw new AssertionException($"Unexpected gRPC status {exception.Status}"),
        };
        var body = exception.Trailers.GetValueBytes(FlaatGrpcStatus.ErrorTrailer)
            ?? throw new AssertionException($"No {FlaatGrpcStatus.ErrorTrailer} trailer on {exception.Status}");
        using (var json = JsonDocument.Parse(body))
        {
            Assert.That(exception.Status.Detail, Is.EqualTo(json.RootElement.GetProperty("error_description").GetString()), "Status.Detail is the error description");
        }

        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(body) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (exception.Trailers.GetValue("www-authenticate") is { } challenge)
        {
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", challenge);
        }

        if (exception.Trailers.GetValue("grpc-retry-pushback-ms") is { } pushback)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromMilliseconds(long.Parse(pushback, CultureInfo.InvariantCulture)));
        }

        return response;
    }

    [FlaatAuthenticated]
    private sealed class ContractService : Contract.ContractBase
    {
        public override Task<ProbeReply> Authenticated(ProbeRequest request, ServerCallContext context) =>
            Reply(ContractEndpoints.WhoAmI(context.GetUserInfos()!));

        [FlaatAccessLevel(ContractEndpoints.AdminLevel)]
        public override Task<ProbeReply> Admin(ProbeRequest request, ServerCallContext context) => Reply("admin");

        [FlaatClaim("email", ContractEndpoints.Email)]
        public override Task<ProbeReply> Claim(ProbeRequest request, ServerCallContext context) => Reply("claim");

        [FlaatVo(ContractEndpoints.Vo)]
        public override Task<ProbeReply> Vo(ProbeRequest request, ServerCallContext context) => Reply("vo");

        [FlaatAudience(ContractEndpoints.Audience)]
        public override Task<ProbeReply> Audience(ProbeRequest request, ServerCallContext context) => Reply("audience");

        [NameIsCaller]
        public override Task<ProbeReply> Request(ProbeRequest request, ServerCallContext context) => Reply("request");

        [FlaatOptional]
        public override Task<ProbeReply> Optional(ProbeRequest request, ServerCallContext context) =>
            Reply(ContractEndpoints.Optional(context.GetUserInfos()));

        private static Task<ProbeReply> Reply(string text) => Task.FromResult(new ProbeReply { Text = text });
    }
}
