using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.AspNetCore;

/// <summary>Creates the token engine and its HTTP handler for the DI container.</summary>
internal static class FlaatEngineFactory
{
    /// <summary>
    /// The primary handler of Flaat's named <see cref="HttpClient"/>: connections are recycled so
    /// DNS changes of an OP are seen although the engine keeps its client for the application's
    /// lifetime; TLS certificates are verified unless <see cref="FlaatOptions.VerifyTls"/> is off.
    /// </summary>
    public static HttpMessageHandler CreatePrimaryHandler(FlaatOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
            UseCookies = false,
        };
        if (!options.VerifyTls)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }

        return handler;
    }

    /// <summary>The token engine (Flaat.Core's authenticator) over Flaat's named client.</summary>
    public static IFlaatAuthenticator CreateAuthenticator(IServiceProvider services) =>
        throw new InvalidOperationException(
            "Flaat's token engine is not available in this build; register an IFlaatAuthenticator before calling AddFlaat.");
}
