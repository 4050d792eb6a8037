using Flaat.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Examples;

/// <summary>
/// The examples' embedded default: when no OP is configured (<c>Flaat:TrustedIssuers</c> and
/// <c>Flaat:Issuer</c> both empty), an in-process OP (Flaat.Testing) is started, trusted alone,
/// and a demo admin and a demo user get ready-made tokens.
/// </summary>
public sealed class DemoProvider : IDisposable
{
    /// <summary>The demo admin's e-mail address, the default of <c>Example:AdminEmails</c>.</summary>
    public const string AdminEmail = "admin@example.org";

    /// <summary>The default of <c>Example:RequiredEntitlements</c>: membership of the demo VO.</summary>
    public const string RequiredEntitlement = "urn:geant:example.org:group:demo#aai.example.org";

    /// <summary>The demo admin's capability scopes (WLCG Common JWT Profile): read under <c>/demo</c>, create under <c>/demo/upload</c>.</summary>
    public const string AdminScope = "openid storage.read:/demo storage.create:/demo/upload";

    /// <summary>The demo admin's REFEDS assurance: the Cappuccino profile (which implies IAP/medium).</summary>
    public const string AdminAssurance = "https://refeds.org/assurance/profile/cappuccino";

    private const string ClientId = "flaat-example";
    private const string ClientSecret = "flaat-example-secret";

    private readonly FakeOpenIdProvider _op;

    private DemoProvider(FakeOpenIdProvider op)
    {
        _op = op;
        var admin = new FakeUser("demo-admin")
            .WithClaim("name", "Demo Admin")
            .WithClaim("email", AdminEmail)
            .WithClaim("groups", new[] { "admins", "users" })
            .WithClaim("eduperson_entitlement", new[] { "urn:geant:example.org:group:demo:admins#aai.example.org" })
            .WithClaim("eduperson_assurance", new[] { AdminAssurance });
        var user = new FakeUser("demo-user")
            .WithClaim("name", "Demo User")
            .WithClaim("email", "user@example.org")
            .WithClaim("groups", new[] { "users" })
            .WithClaim("eduperson_entitlement", new[] { "urn:geant:example.org:group:other#aai.example.org" });
        var lifetime = TimeSpan.FromHours(12);
        // The admin's JWT follows the WLCG Common JWT Profile: its version and storage capabilities.
        AdminToken = op.CreateJwt(admin, new FakeTokenOptions { Lifetime = lifetime, Scope = AdminScope, Claims = { ["wlcg.ver"] = "1.0" } });
        UserToken = op.CreateJwt(user, new FakeTokenOptions { Lifetime = lifetime });
        AdminOpaqueToken = op.CreateOpaqueToken(admin, lifetime);
    }

    /// <summary>The embedded OP's issuer URL.</summary>
    public string Issuer => _op.Issuer;

    /// <summary>A JWT of the demo admin (groups admins, the demo VO's admins sub-group, <see cref="AdminScope"/>, <see cref="AdminAssurance"/>).</summary>
    public string AdminToken { get; }

    /// <summary>An opaque token of the demo admin (found by probing, with introspection).</summary>
    public string AdminOpaqueToken { get; }

    /// <summary>A JWT of the demo user (group users only, another VO).</summary>
    public string UserToken { get; }

    /// <summary>
    /// Starts the embedded OP when the configuration names none, trusts it, and registers it for
    /// disposal with the application. Returns <see langword="null"/> when an OP is configured.
    /// </summary>
    public static DemoProvider? StartIfUnconfigured(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var flaat = builder.Configuration.GetSection("Flaat");
        var trusted = flaat.GetSection("TrustedIssuers").Get<string[]>() ?? [];
        if (trusted.Any(t => !string.IsNullOrWhiteSpace(t)) || !string.IsNullOrWhiteSpace(flaat["Issuer"]))
        {
            return null;
        }

        var demo = new DemoProvider(FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
        }));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Flaat:TrustedIssuers:0"] = demo.Issuer,
            ["Flaat:ClientId"] = ClientId,
            ["Flaat:ClientSecret"] = ClientSecret,
        });
        builder.Services.AddSingleton(demo);
        return demo;
    }

    /// <summary>Sets the default URL <c>http://127.0.0.1:8080</c> unless <c>--urls</c> or <c>ASPNETCORE_URLS</c> says otherwise.</summary>
    public static void UseDefaultUrl(WebApplicationBuilder builder, string url = "http://127.0.0.1:8080")
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]) && string.IsNullOrWhiteSpace(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseSetting(Microsoft.AspNetCore.Hosting.WebHostDefaults.ServerUrlsKey, url);
        }
    }

    /// <summary>
    /// What the embedded OP is, the demo tokens as shell variables, the given ready-to-paste
    /// commands, and how to configure a real OP.
    /// </summary>
    public string Describe(IEnumerable<string> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var lines = new List<string>
        {
            $"Flaat example: no OP configured, so an embedded demo OP runs at {Issuer} and is the only trusted one.",
            "Demo admin (groups: admins; VO member; WLCG storage.read:/demo; REFEDS Cappuccino) and demo user (groups: users) tokens, valid 12 hours:",
            string.Empty,
            $"  ADMIN_TOKEN='{AdminToken}'",
            $"  USER_TOKEN='{UserToken}'",
            $"  ADMIN_OPAQUE_TOKEN='{AdminOpaqueToken}'",
            string.Empty,
        };
        lines.AddRange(commands);
        lines.Add(string.Empty);
        lines.Add("Configure a real OP with Flaat__TrustedIssuers__0=https://your.op (and Flaat__ClientId / Flaat__ClientSecret for opaque tokens).");
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>Ready-to-paste curl commands (admin, then user) for the given base URL and paths.</summary>
    public string CurlCommands(string baseUrl, params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(paths);
        return Describe(paths.SelectMany(path => new[]
        {
            $"  curl -i -H \"Authorization: Bearer $ADMIN_TOKEN\" {baseUrl.TrimEnd('/')}{path}",
            $"  curl -i -H \"Authorization: Bearer $USER_TOKEN\" {baseUrl.TrimEnd('/')}{path}",
        }));
    }

    /// <summary>The address the started server really listens on (also with port 0).</summary>
    public static string ListeningUrl(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        return addresses?.FirstOrDefault() ?? app.Urls.FirstOrDefault() ?? "http://127.0.0.1:8080";
    }

    /// <summary>Prints <see cref="CurlCommands"/> with the address the server really listens on, once it has started.</summary>
    public void PrintCurlCommandsWhenStarted(WebApplication app, params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            Console.WriteLine();
            Console.WriteLine(CurlCommands(ListeningUrl(app), paths));
            Console.WriteLine();
        });
    }

    /// <inheritdoc />
    public void Dispose() => _op.Dispose();
}
