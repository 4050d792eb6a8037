using System.Runtime.CompilerServices;
using Flaat.Evaluation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>
/// Resolves an endpoint's metadata (attributes on controllers, actions, gRPC services and methods;
/// <c>.RequireFlaat(...)</c> conventions) into its <see cref="FlaatEndpointPolicy"/>, once per
/// endpoint. Shared by every adapter; registered by <c>AddFlaat</c>.
/// </summary>
public sealed class FlaatEndpointPolicyResolver
{
    private readonly ConditionalWeakTable<Endpoint, FlaatEndpointPolicy> _cache = [];
    private readonly ConditionalWeakTable<Endpoint, FlaatEndpointPolicy>.CreateValueCallback _resolve;
    private readonly FlaatAccessLevelRegistry _accessLevels;
    private readonly FlaatEndpointOptions _options;
    private readonly IOptions<AuthorizationOptions>? _authorization;

    internal FlaatEndpointPolicyResolver(FlaatAccessLevelRegistry accessLevels, IOptions<FlaatEndpointOptions> options, IOptions<AuthorizationOptions>? authorization)
    {
        _accessLevels = accessLevels;
        _options = options.Value;
        _authorization = authorization;
        _resolve = endpoint => Resolve(endpoint.Metadata, endpoint.DisplayName);
    }

    /// <summary>The endpoint's policy (cached).</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <exception cref="InvalidOperationException">The metadata names an unknown access level (reported at start-up).</exception>
    public FlaatEndpointPolicy GetPolicy(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return _cache.GetValue(endpoint, _resolve);
    }

    /// <summary>Resolves a metadata list, most general item first.</summary>
    internal FlaatEndpointPolicy Resolve(IReadOnlyList<object> metadata, string? endpointName)
    {
        try
        {
            return ResolveCore(metadata, endpointName);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException)
        {
            throw new InvalidOperationException($"Endpoint '{endpointName}' has invalid Flaat metadata: {exception.Message}", exception);
        }
    }

    private FlaatEndpointPolicy ResolveCore(IReadOnlyList<object> metadata, string? endpointName)
    {
        FlaatPolicyBuilder? builder = null;
        var allowAnonymous = false;
        var usesAuthentication = _authorization?.Value.FallbackPolicy is not null;
        foreach (var item in metadata)
        {
            switch (item)
            {
                case IFlaatMetadata flaat:
                    flaat.Apply(builder ??= NewBuilder());
                    usesAuthentication = true;
                    break;
                case IAllowAnonymous:
                    allowAnonymous = true;
                    usesAuthentication = true;
                    break;
                case IAuthorizeData or IAuthorizationRequirementData or AuthorizationPolicy:
                    usesAuthentication = true;
                    break;
            }
        }

        var onFailure = builder?.FailureHandler ?? _options.OnFailure;

        // As with [Authorize], [AllowAnonymous] wins wherever it is.
        if (!allowAnonymous && (builder is { IsProtected: true } || _options.RequireAuthenticationByDefault))
        {
            builder ??= NewBuilder();
            if (!builder.IsProtected)
            {
                builder.RequireAuthenticatedUser();
            }

            return new(true, builder.BuildPolicy(_accessLevels, endpointName), onFailure, usesAuthentication: true);
        }

        // Not guarded by a Flaat gate, but maybe by the authentication scheme ([Authorize]): the
        // endpoint's DPoP mode travels with its policy so the scheme applies it too.
        return new(false, AuthenticatedWith(builder?.Dpop), onFailure, usesAuthentication);
    }

    /// <summary>
    /// <see cref="FlaatPolicy.Authenticated"/> with the endpoint's DPoP mode: what the authentication
    /// scheme judges an endpoint by. Shared instances, so the scheme allocates nothing per request.
    /// </summary>
    internal static FlaatPolicy AuthenticatedWith(DpopMode? mode) =>
        mode is { } known && (uint)known < (uint)AuthenticatedWithDpop.Length ? AuthenticatedWithDpop[(int)known] : FlaatPolicy.Authenticated;

    private static readonly FlaatPolicy[] AuthenticatedWithDpop =
        [new() { Dpop = DpopMode.Disabled }, new() { Dpop = DpopMode.Allowed }, new() { Dpop = DpopMode.Required }];

    private FlaatPolicyBuilder NewBuilder() => new() { IssuerSupportsAudience = _accessLevels.IssuerSupportsAudience.Value };
}
