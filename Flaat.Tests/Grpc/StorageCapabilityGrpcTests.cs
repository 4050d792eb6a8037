using Flaat.Requirements;
using Flaat.Testing;
using Flaat.Tests.Grpc.Proto;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;

namespace Flaat.Tests.Grpc;

/// <summary>
/// A WLCG storage capability on a gRPC service, with the path taken from a function of the call
/// (a metadata entry), through the real interceptor and a real gRPC client.
/// </summary>
public sealed class StorageCapabilityGrpcTests
{
    [TestCase("/data/run1/f", StatusCode.OK)]
    [TestCase("/database", StatusCode.PermissionDenied)]
    [TestCase("/data/%2e%2e/secret", StatusCode.PermissionDenied)]
    [TestCase(null, StatusCode.PermissionDenied)]
    public async Task Interceptor_StoragePathFromCall_DecidesAccess(string? path, StatusCode expected)
    {
        await using var op = FakeOpenIdProvider.Start();
        var token = op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { Scope = "storage.read:/data", Claims = { ["wlcg.ver"] = "1.0" } });
        await using var host = await GrpcTestHost.StartAsync(op, map: app => app.MapGrpcService<ConventionService>()
            .RequireFlaat(Wlcg.Storage<ServerCallContext>(StorageOperation.Read, call => call.RequestHeaders.GetValue("x-storage-path"))));
        var headers = new Metadata { { "authorization", "Bearer " + token } };
        if (path is not null)
        {
            headers.Add("x-storage-path", path);
        }

        var status = StatusCode.OK;
        try
        {
            await new Convention.ConventionClient(host.Channel).WhoAmIAsync(new ProbeRequest(), headers);
        }
        catch (RpcException e)
        {
            status = e.StatusCode;
        }

        Assert.That(status, Is.EqualTo(expected));
    }
}
