using Flaat.AspNetCore;
using Flaat.Evaluation;
using Flaat.Testing;
using Flaat.Tests.Grpc.Proto;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.Grpc;

/// <summary>A token reader registered by the application is what Flaat's gRPC interceptor reads through.</summary>
public sealed class TokenReaderGrpcTests
{
    [Test]
    public async Task Interceptor_CustomReader_TokenFromItsHeaderIsUsed()
    {
        await using var op = FakeOpenIdProvider.Start();
        var token = op.CreateJwt(new FakeUser("alice").WithClaim("email", "alice@example.org"));
        await using var host = await GrpcTestHost.StartAsync(op, services =>
        {
            services.AddGrpc().AddFlaat();
            services.AddSingleton<IFlaatTokenReader, GatewayHeaderReader>();
        });

        var reply = await new Annotated.AnnotatedClient(host.Channel).WhoAmIAsync(new ProbeRequest(), new Metadata { { "x-access-token", token } });

        Assert.That(reply.Subject, Is.EqualTo("alice"));
    }

    private sealed class GatewayHeaderReader : IFlaatTokenReader
    {
        public PresentedToken? Read(HttpContext context) =>
            context.Request.Headers["x-access-token"] is { Count: 1 } values ? BearerToken.FromToken(values[0], TokenSource.Header) : null;
    }
}
