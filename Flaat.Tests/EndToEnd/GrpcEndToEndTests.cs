using System.Net;
using Flaat.Tests.Grpc;
using Flaat.Tests.Grpc.Proto;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.EndToEnd;

/// <summary>
/// The gRPC interceptor on a real Kestrel server (HTTP/2 on 127.0.0.1) against the real OP, called
/// by a real gRPC client; the probe services of the gRPC adapter tests.
/// </summary>
[Category("EndToEnd")]
public sealed partial class GrpcEndToEndTests
{
    private WebApplication _app = null!;
    private GrpcChannel _channel = null!;

    private Annotated.AnnotatedClient Client => new(_channel);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(await OidcProviders.AppSettingsAsync());
        builder.Services.AddSingleton<HandlerCounter>();
        builder.Services.AddFlaat(builder.Configuration.GetSection("Flaat"));
        builder.Services.AddGrpc().AddFlaat();
        _app = builder.Build();
        _app.MapGrpcService<AnnotatedService>();
        await _app.StartAsync();
        _channel = GrpcChannel.ForAddress(_app.Urls.Single());
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _channel.Dispose();
        await _app.DisposeAsync();
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task WhoAmI_AlicesToken_AnswersWithHerSubjectAndEmail(bool jwt)
    {
        var token = await OidcProviders.TokenAsync(OidcProviderFixture.Alice, jwt);

        var reply = await Client.WhoAmIAsync(new ProbeRequest(), Bearer(token));

        Assert.Multiple(() =>
        {
            Assert.That(reply.Subject, Is.EqualTo(OidcProviderFixture.Alice));
            Assert.That(reply.Text, Is.EqualTo("alice@example.org"));
        });
    }

    [TestCase(OidcProviderFixture.Alice, false, StatusCode.OK)]
    [TestCase(OidcProviderFixture.Bob, false, StatusCode.PermissionDenied)]
    [TestCase(OidcProviderFixture.Alice, true, StatusCode.OK)]
    [TestCase(OidcProviderFixture.Bob, true, StatusCode.PermissionDenied)]
    public async Task Admin_RealToken_AllowsAliceRefusesBob(string user, bool jwt, StatusCode expected)
    {
        var token = await OidcProviders.TokenAsync(user, jwt);

        var status = await StatusOfAsync(() => Client.AdminAsync(new ProbeRequest(), Bearer(token)).ResponseAsync);

        Assert.That(status, Is.EqualTo(expected));
    }

    [Test]
    public async Task WhoAmI_NoToken_Unauthenticated()
    {
        var status = await StatusOfAsync(() => Client.WhoAmIAsync(new ProbeRequest()).ResponseAsync);

        Assert.That(status, Is.EqualTo(StatusCode.Unauthenticated));
    }

    [Test]
    public async Task WhoAmI_ExpiredJwt_Unauthenticated()
    {
        var expired = await OidcProviders.ExpiredTokensAsync();

        var status = await StatusOfAsync(() => Client.WhoAmIAsync(new ProbeRequest(), Bearer(expired.Jwt)).ResponseAsync);

        Assert.That(status, Is.EqualTo(StatusCode.Unauthenticated));
    }

    [Test]
    public async Task WhoAmI_JwtFromUntrustedOp_Unauthenticated()
    {
        var untrusted = await OidcProviders.UntrustedAsync();
        var token = await untrusted.Client.GetJwtAsync(OidcProviderFixture.Alice);

        var exception = Assert.ThrowsAsync<RpcException>(() => Client.WhoAmIAsync(new ProbeRequest(), Bearer(token)).ResponseAsync);

        Assert.Multiple(() =>
        {
            Assert.That(exception!.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
            Assert.That(exception.Status.Detail, Does.Contain("not trusted"));
        });
    }

    private static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };

    private static async Task<StatusCode> StatusOfAsync(Func<Task<ProbeReply>> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
