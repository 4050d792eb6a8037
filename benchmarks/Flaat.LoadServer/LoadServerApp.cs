using Flaat.Redis;
using Flaat.Requirements;
using Flaat.Testing;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;

namespace Flaat.LoadServer;

/// <summary>
/// The load-test application: <c>/none</c>, <c>/flaat</c> and <c>/jwt</c> serve the same handler,
/// unprotected, behind <c>.RequireFlaat(...)</c> with an AARC entitlement requirement, and behind
/// JwtBearer (<c>RequireAuthorization</c>). The fake OP runs on 127.0.0.1 and is asked once per
/// token (Flaat's userinfo, JwtBearer's metadata); after that both serve from their caches.
/// </summary>
public sealed class LoadServerApp : IAsyncDisposable
{
    /// <summary>The entitlement the <c>/flaat</c> endpoint requires; the user holds it through a subgroup.</summary>
    public const string RequiredEntitlement = "urn:geant:h-df.de:group:m-team#login.helmholtz.de";

    /// <summary>The audience of the token, checked by JwtBearer.</summary>
    public const string Audience = "bench-api";

    private const string JwtPolicy = "jwt";

    private readonly FakeOpenIdProvider _op;

    private LoadServerApp(FakeOpenIdProvider op, WebApplication app, string baseUrl, string token)
    {
        _op = op;
        App = app;
        BaseUrl = baseUrl;
        Token = token;
    }

    /// <summary>The running application.</summary>
    public WebApplication App { get; }

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>The RS256 access token every endpoint accepts.</summary>
    public string Token { get; }

    /// <summary>The fake OP (for counting its calls).</summary>
    public FakeOpenIdProvider OpenIdProvider => _op;

    /// <summary>Starts the fake OP and the application on a free port of 127.0.0.1.</summary>
    /// <param name="inMemory">
    /// Serves through an in-memory <see cref="TestServer"/> instead of Kestrel (the OP stays on
    /// 127.0.0.1), so a benchmark can time the request pipeline without sockets.
    /// </param>
    /// <param name="redis">A Redis server (<c>host:port</c>) to share Flaat's cache on, as a replica of a fleet does; none by default.</param>
    public static async Task<LoadServerApp> StartAsync(bool inMemory = false, string? redis = null)
    {
        // JwtBearer must not become the default scheme just because it is the only one: then every
        // request with a bearer header, to any endpoint, would be validated by it.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);

        var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { SigningAlgorithms = [FakeSigningKey.RS256] });
        var user = new FakeUser("6c611e2a-2c1c-487f-9948-c058a36c8f0e")
            .WithClaim("name", "Bench User")
            .WithClaim("email", "bench.user@example.org")
            .WithClaim("eduperson_entitlement", new[]
            {
                "urn:geant:h-df.de:group:helmholtz-all#login.helmholtz.de",
                "urn:geant:h-df.de:group:IAM:admins#login.helmholtz.de",
                "urn:geant:h-df.de:group:m-team:feudal-developers:role=member#login.helmholtz.de",
                "urn:geant:h-df.de:group:wlcg-test#login.helmholtz.de",
            });
        var tokenOptions = new FakeTokenOptions { Scope = "openid profile email eduperson_entitlement", ClientId = "bench-client", Lifetime = TimeSpan.FromHours(8) };
        tokenOptions.Audiences.Add(Audience);
        var token = op.CreateJwt(user, tokenOptions);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (inMemory)
        {
            builder.WebHost.UseTestServer();
        }
        else
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }

        var flaat = builder.Services.AddFlaat(options =>
        {
            options.TrustedIssuers.Add(op.Issuer);
            options.Cache.MaxUserInfosLifetime = TimeSpan.FromHours(1);
        });
        if (redis is not null)
        {
            flaat.AddRedis(redis);
        }

        builder.Services.AddAuthentication()
            .AddJwtBearer(JwtBearerDefaults.AuthenticationScheme, options =>
            {
                options.Authority = op.Issuer;
                options.RequireHttpsMetadata = false;
                options.Audience = Audience;
                options.MapInboundClaims = false;
            });
        builder.Services.AddAuthorization(options =>
            options.AddPolicy(JwtPolicy, policy => policy.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser()));

        var app = builder.Build();
        app.MapGet("/none", Hello);
        app.MapGet("/flaat", Hello).RequireFlaat(Require.Vo(RequiredEntitlement));
        app.MapGet("/jwt", Hello).RequireAuthorization(JwtPolicy);
        await app.StartAsync().ConfigureAwait(false);

        var address = inMemory ? "http://localhost" : app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoadServerApp(op, app, address.TrimEnd('/'), token);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
        _op.Dispose();
    }

    private static string Hello() => "hello";
}
