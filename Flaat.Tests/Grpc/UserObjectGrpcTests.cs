using Flaat.AspNetCore;
using Flaat.Testing;
using Flaat.Tests.Grpc.Proto;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.Grpc;

/// <summary>flaat's <c>inject_object</c> in gRPC: a method asks for the application's own user type.</summary>
public sealed class UserObjectGrpcTests
{
    [Test]
    public async Task GetUserObjectAsync_InAProtectedMethod_MadeFromTheCaller()
    {
        await using var op = FakeOpenIdProvider.Start();
        await using var host = await GrpcTestHost.StartAsync(
            op,
            services =>
            {
                services.AddGrpc().AddFlaat();
                services.AddFlaat(options =>
                {
                    options.TrustedIssuers.Add(op.Issuer);
                    options.RequestTimeout = TimeSpan.FromSeconds(10);
                })
                    .AddUserObject<Account>(async (infos, _, cancellationToken) =>
                    {
                        await Task.Yield();
                        cancellationToken.ThrowIfCancellationRequested();
                        return infos.Subject == "alice" ? new Account("Alice Liddell") : null;
                    });
            },
            app => app.MapGrpcService<AccountService>());
        var client = new Plain.PlainClient(host.Channel);

        var alice = await client.OpenAsync(new ProbeRequest(), Bearer(op.CreateJwt(new FakeUser("alice"))));
        var bob = await client.OpenAsync(new ProbeRequest(), Bearer(op.CreateJwt(new FakeUser("bob"))));
        var anonymous = Assert.ThrowsAsync<RpcException>(async () => await client.OpenAsync(new ProbeRequest()));

        Assert.That(alice.Text, Is.EqualTo("Alice Liddell"));
        Assert.That(bob.Text, Is.EqualTo("no account"));
        Assert.That(anonymous!.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
    }

    private static Metadata Bearer(string token) => new() { { "Authorization", "Bearer " + token } };

    public sealed record Account(string Name);

    [FlaatAuthenticated]
    private sealed class AccountService : Plain.PlainBase
    {
        public override async Task<ProbeReply> Open(ProbeRequest request, ServerCallContext context)
        {
            var account = await context.GetUserObjectAsync<Account>();
            return new ProbeReply { Subject = context.GetUserInfos()!.Subject, Text = account?.Name ?? "no account" };
        }
    }
}
