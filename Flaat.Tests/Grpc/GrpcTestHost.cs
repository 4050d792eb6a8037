using Flaat.Requirements;
using Flaat.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.Grpc;

/// <summary>
/// An ASP.NET Core gRPC server on <see cref="TestServer"/> protected by Flaat against a
/// <see cref="FakeOpenIdProvider"/>, and a real <see cref="GrpcChannel"/> to it.
/// </summary>
internal sealed class GrpcTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcTestHost(WebApplication app)
    {
        _app = app;
        var server = app.GetTestServer();
        Channel = GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.CreateHandler() });
    }

    public GrpcChannel Channel { get; }

    /// <summary>A plain HTTP client to the same server (for the application's non-gRPC endpoints).</summary>
    public HttpClient CreateHttpClient() => _app.GetTestServer().CreateClient();

    public HandlerCounter Counter => _app.Services.GetRequiredService<HandlerCounter>();

    /// <summary>
    /// Starts the server: Flaat trusting <paramref name="op"/> with the access level <c>admin</c>
    /// (group <c>admins</c>), the interceptor on every service (unless <paramref name="configure"/>
    /// registers gRPC itself), the three probe services and the conventions of the Convention service.
    /// </summary>
    public static async Task<GrpcTestHost> StartAsync(
        FakeOpenIdProvider op,
        Action<IServiceCollection>? configure = null,
        Action<WebApplication>? map = null,
        string environment = "Production")
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<HandlerCounter>();
        builder.Services.AddFlaat(options =>
            {
                options.TrustedIssuers.Add(op.Issuer);

                // Not the 1.2 s default: a cold WireMock on a loaded machine must not turn these tests into 503s.
                options.RequestTimeout = TimeSpan.FromSeconds(10);
            })
            .AddAccessLevel(Probe.AdminLevel, Require.Claim("admins", "groups"));
        if (configure is null)
        {
            builder.Services.AddGrpc().AddFlaat();
        }
        else
        {
            configure(builder.Services);
        }

        var app = builder.Build();
        if (map is null)
        {
            app.MapGrpcService<AnnotatedService>();
            app.MapGrpcService<PlainService>();
            app.MapGrpcService<ConventionService>().RequireFlaatAccessLevel(Probe.AdminLevel);
        }
        else
        {
            map(app);
        }

        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new GrpcTestHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.DisposeAsync();
    }
}
