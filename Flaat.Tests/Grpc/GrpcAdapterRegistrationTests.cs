using System.Net;
using Flaat.AspNetCore;
using Flaat.Testing;
using Flaat.Tests.Grpc.Proto;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.Grpc;

/// <summary>
/// Flaat fails closed when its gRPC adapter is forgotten: <c>services.AddGrpc()</c> without
/// <c>.AddFlaat()</c> must not leave a protected gRPC method open, nor put the HTTP gate in front of it.
/// </summary>
public sealed class GrpcAdapterRegistrationTests
{
    private FakeOpenIdProvider _op = null!;

    [OneTimeSetUp]
    public void StartOp() => _op = FakeOpenIdProvider.Start();

    [OneTimeTearDown]
    public async Task StopOpAsync() => await _op.DisposeAsync();

    [Test]
    public void StartAsync_AttributeProtectedMethodWithoutGrpcAdapter_FailsNamingTheMethodAndTheCall()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await GrpcTestHost.StartAsync(_op, services => services.AddGrpc(), app => app.MapGrpcService<PlainService>()));

        Assert.Multiple(() =>
        {
            Assert.That(exception!.Message, Does.StartWith("Flaat: endpoints are misconfigured"));
            Assert.That(exception.Message, Does.Contain("/flaat.test.Plain/Admin").And.Contain("AddGrpc().AddFlaat()"));
            Assert.That(exception.Message, Does.Not.Contain("/flaat.test.Plain/Open"));
        });
    }

    [Test]
    public void StartAsync_RequireAuthenticationByDefaultWithoutGrpcAdapter_FailsForMethodsWithoutMetadata()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await GrpcTestHost.StartAsync(_op, services =>
            {
                services.AddGrpc();
                services.Configure<FlaatEndpointOptions>(options => options.RequireAuthenticationByDefault = true);
            }, app => app.MapGrpcService<PlainService>()));

        Assert.That(exception!.Message, Does.Contain("/flaat.test.Plain/Open").And.Contain("AddGrpc().AddFlaat()"));
    }

    [Test]
    public void StartAsync_RequireFlaatOnGrpcServiceWithoutGrpcAdapter_FailsInsteadOfInstallingTheHttpGate()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await GrpcTestHost.StartAsync(_op, services => services.AddGrpc(), app => app.MapGrpcService<ConventionService>().RequireFlaat()));

        Assert.That(exception!.Message, Does.Contain("/flaat.test.Convention/").And.Contain("AddGrpc().AddFlaat()"));
    }

    [Test]
    public async Task StartAsync_WithGrpcAdapterAndRequireAuthenticationByDefault_StartsAndLeavesPlainHttpEndpointsOpen()
    {
        await using var host = await GrpcTestHost.StartAsync(_op, services =>
        {
            services.AddGrpc().AddFlaat();
            services.Configure<FlaatEndpointOptions>(options => options.RequireAuthenticationByDefault = true);
        }, app =>
        {
            app.MapGrpcService<PlainService>();
            app.MapGrpcService<ConventionService>().RequireFlaat();
            app.MapGet("/healthz", () => "healthy");
        });

        using var http = host.CreateHttpClient();
        using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        var open = await StatusOfAsync(async () => await new Plain.PlainClient(host.Channel).OpenAsync(new ProbeRequest()));
        var convention = await StatusOfAsync(async () => await new Convention.ConventionClient(host.Channel).WhoAmIAsync(new ProbeRequest()));

        Assert.Multiple(() =>
        {
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(open, Is.EqualTo(StatusCode.Unauthenticated));
            Assert.That(convention, Is.EqualTo(StatusCode.Unauthenticated));
        });
    }

    private static async Task<StatusCode> StatusOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }
    }
}
