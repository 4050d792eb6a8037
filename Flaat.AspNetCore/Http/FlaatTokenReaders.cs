using Flaat.Evaluation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flaat.AspNetCore;

/// <summary>
/// The chain of <see cref="IFlaatTokenReader"/>s every adapter reads a request's token through
/// (the rules are on <see cref="IFlaatTokenReader"/>). With only the default reader it costs one
/// call.
/// </summary>
internal sealed class FlaatTokenReaders
{
    private readonly IFlaatTokenReader[] _readers;

    public FlaatTokenReaders(IEnumerable<IFlaatTokenReader> readers) => _readers = [.. readers];

    /// <summary>What the request presents; <see cref="PresentedToken.None"/> when nothing.</summary>
    public PresentedToken Read(HttpContext context)
    {
        if (_readers.Length == 1)
        {
            return _readers[0].Read(context) ?? PresentedToken.None;
        }

        PresentedToken? seen = null;
        foreach (var reader in _readers)
        {
            if (reader.Read(context) is not { } token)
            {
                continue;
            }

            if (token.HasToken || token.ChallengeError is not null)
            {
                return token;
            }

            seen ??= token;
        }

        return seen ?? PresentedToken.None;
    }
}

/// <summary>The registrations of token presentation (called by <c>AddFlaat</c>).</summary>
internal static class FlaatPresentationServices
{
    /// <summary>Adds the <c>Authorization</c> header reader and the chain; harmless when called twice.</summary>
    public static void Add(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFlaatTokenReader, AuthorizationHeaderTokenReader>());
        services.TryAddSingleton<FlaatTokenReaders>();
    }
}
