using Flaat.Requirements;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flaat.AspNetCore;

/// <summary>Configures Flaat after <c>services.AddFlaat(...)</c>: access levels, endpoint behaviour.</summary>
public sealed class FlaatBuilder
{
    internal FlaatBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Defines a named access level in code (flaat's access levels). A level of the same name under
    /// <c>Flaat:AccessLevels</c> in configuration replaces it.
    /// </summary>
    /// <param name="name">The level's name, case-insensitive.</param>
    /// <param name="requirement">What a user must satisfy.</param>
    /// <returns>This builder.</returns>
    public FlaatBuilder AddAccessLevel(string name, Requirement requirement)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(requirement);
        Services.Configure<FlaatAccessOptions>(options => options.DefinedInCode[name] = requirement);
        return this;
    }

    /// <summary>Configures how endpoints are treated (default authentication, the on-failure hook, environment overrides, ...).</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>This builder.</returns>
    public FlaatBuilder ConfigureEndpoints(Action<FlaatEndpointOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }

    /// <summary>Changes Flaat's settings further (after configuration binding).</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>This builder.</returns>
    public FlaatBuilder Configure(Action<FlaatOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }

    /// <summary>
    /// Reads a token from the <c>access_token</c> query parameter on these paths, for WebSocket upgrades
    /// and server-sent-event requests only (SignalR hubs, browser WebSockets, <c>EventSource</c>); adds
    /// to <see cref="FlaatEndpointOptions.QueryTokenPaths"/> (<c>Flaat:QueryTokenPaths</c>), where the rules are.
    /// </summary>
    /// <param name="pathPrefixes">Path prefixes, each starting with <c>/</c>, matched on segment boundaries (e.g. <c>/hubs/chat</c>).</param>
    /// <returns>This builder.</returns>
    public FlaatBuilder ReadQueryTokenOn(params string[] pathPrefixes)
    {
        ArgumentNullException.ThrowIfNull(pathPrefixes);
        var copy = pathPrefixes.ToArray();
        Services.Configure<FlaatEndpointOptions>(options =>
        {
            foreach (var path in copy)
            {
                options.QueryTokenPaths.Add(path);
            }
        });
        return this;
    }

    /// <summary>
    /// Adds a token source of the application's own: a function of the request that returns the
    /// access token (without a scheme) or <see langword="null"/> when the request has none there (a
    /// cookie, a gateway's header). It runs on every request Flaat judges, after the <c>Authorization</c>
    /// header: keep it cheap, synchronous and thread-safe, and never log what it returns. Its token
    /// must have the header's shape (RFC 6750 <c>b64token</c>, at most 16 384 characters; white space
    /// around it is ignored), or the request is refused (401); a request that presents a token here
    /// and in another place (the header) is refused as well (RFC 6750 section 2: one method per request).
    /// It should not throw on a client's input; if it does, the exception is caught, logged (its type
    /// only, never the token) and the request is refused (401 <c>invalid_request</c>), never a 500.
    /// </summary>
    /// <param name="readToken">Returns the request's token, or <see langword="null"/>.</param>
    /// <returns>This builder.</returns>
    public FlaatBuilder ReadTokenFrom(Func<HttpContext, string?> readToken)
    {
        ArgumentNullException.ThrowIfNull(readToken);
        Services.AddSingleton<IFlaatTokenReader>(sp => new FunctionTokenReader(readToken, sp.GetService<ILogger<FunctionTokenReader>>()));
        return this;
    }
}
