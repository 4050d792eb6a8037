using Flaat.Caching;
using Flaat.Evaluation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>
/// The chain of <see cref="IFlaatTokenReader"/>s every adapter reads a request's token through
/// (the rules are on <see cref="IFlaatTokenReader"/>). With only the default reader it costs one
/// call. Registered by <c>AddFlaat</c>; public so that every adapter package (and an adapter of
/// your own, e.g. for SignalR) reads tokens the same way without reaching into Flaat's internals.
/// </summary>
public sealed class FlaatTokenReaders
{
    private readonly IFlaatTokenReader[] _readers;

    /// <summary>Creates the chain.</summary>
    /// <param name="readers">The readers, asked in this order (DI: registration order).</param>
    public FlaatTokenReaders(IEnumerable<IFlaatTokenReader> readers)
    {
        ArgumentNullException.ThrowIfNull(readers);
        // The query-string reader stays out of the chain unless a path was named: nothing to pay then.
        _readers = [.. readers.Where(static reader => reader is not QueryStringTokenReader { IsActive: false })];
    }

    /// <summary>What the request presents; <see cref="PresentedToken.None"/> when nothing.</summary>
    /// <param name="context">The request.</param>
    /// <returns>
    /// The token (or malformed credentials) a reader found, <see cref="BearerToken.SeveralMethods"/> when
    /// more than one reader found either, else what the first reader saw, else <see cref="PresentedToken.None"/>.
    /// </returns>
    public PresentedToken Read(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var token = ReadAny(context);
        return token.Proof is null ? token : OneRequestsOwn(context, token);
    }

    // A DPoP presentation is the request's own instance (kept in its items, so every adapter judging
    // the request gets the same one): a reader that keeps tokens per connection cannot carry an
    // accepted proof over to the next request.
    private static PresentedToken OneRequestsOwn(HttpContext context, PresentedToken token)
    {
        if (context.Items.TryGetValue(OwnKey, out var kept) && kept is (PresentedToken read, PresentedToken own) && ReferenceEquals(read, token))
        {
            return own;
        }

        var copy = DpopToken.ForOneRequest(token);
        context.Items[OwnKey] = (token, copy);
        return copy;
    }

    private static readonly object OwnKey = new();

    private PresentedToken ReadAny(HttpContext context)
    {
        if (_readers.Length == 1)
        {
            return _readers[0].Read(context) ?? PresentedToken.None;
        }

        // Every reader is asked: two of them finding anything (a token or malformed credentials) is
        // refused (RFC 6750 section 2: one method per request), so a client cannot add a header of its
        // own to outrank a gateway's, and a valid header does not hide a malformed or repeated query token.
        PresentedToken? found = null;
        PresentedToken? seen = null;
        foreach (var reader in _readers)
        {
            if (reader.Read(context) is not { } token)
            {
                continue;
            }

            if (token.HasToken || token.ChallengeError is not null)
            {
                if (found is not null)
                {
                    return BearerToken.SeveralMethods;
                }

                found = token;
                continue;
            }

            seen ??= token;
        }

        return found ?? seen ?? PresentedToken.None;
    }
}

/// <summary>The registrations of token presentation (called by <c>AddFlaat</c>).</summary>
internal static class FlaatPresentationServices
{
    /// <summary>
    /// Adds the <c>Authorization</c> header reader (bearer and DPoP schemes), the query-string reader
    /// (active only where <see cref="FlaatEndpointOptions.QueryTokenPaths"/> names a path) and the chain, the DPoP
    /// token binder and the in-memory replay cache (unless another is registered); harmless when called twice.
    /// </summary>
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<IFlaatReplayCache>(sp => new MemoryReplayCache(
            sp.GetRequiredService<IOptions<FlaatOptions>>().Value.Dpop?.MaxReplayEntries ?? 100_000,
            sp.GetService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFlaatTokenBinder, DpopTokenBinder>(sp => new DpopTokenBinder(
            sp.GetRequiredService<IOptions<FlaatOptions>>().Value,
            sp.GetRequiredService<IFlaatReplayCache>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<DpopTokenBinder>>())));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFlaatTokenReader, AuthorizationHeaderTokenReader>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFlaatTokenReader, QueryStringTokenReader>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FlaatEndpointOptions>, FlaatEndpointOptionsValidation>());
        services.AddOptions<FlaatEndpointOptions>().ValidateOnStart();
        services.TryAddSingleton<FlaatTokenReaders>();
    }
}
