using System.Net;

namespace Flaat.Http;

/// <summary>
/// The HTTP handler Flaat uses for its calls to OPs, for an application that builds the
/// <see cref="HttpClient"/> it gives to <c>FlaatAuthenticator</c> or <c>FlaatJwksClient</c> itself
/// (the ASP.NET Core registration uses it for its named client). The engine and the JWKS client
/// build their own client on it when given none.
/// </summary>
public static class FlaatHttp
{
    /// <summary>
    /// A handler that never follows redirects (an OP's answer comes from the URL its discovery names:
    /// a followed 302 would make another origin's JSON the user's claims, a 307 would re-send the
    /// token), keeps no cookies (one jar would be shared by every user's calls), and recycles pooled
    /// connections every five minutes so DNS changes of an OP are seen.
    /// </summary>
    /// <param name="verifyTls">
    /// Whether OP certificates are verified (<see cref="FlaatOptions.VerifyTls"/>); turn it off only
    /// in tests against an OP with a self-signed certificate.
    /// </param>
    /// <returns>A new handler; the caller owns it.</returns>
    public static SocketsHttpHandler CreateHandler(bool verifyTls)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
            AllowAutoRedirect = false,
            UseCookies = false,
        };
        if (!verifyTls)
        {
#pragma warning disable CA5359 // Turned off only on the explicit request of FlaatOptions.VerifyTls = false (tests).
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        return handler;
    }

    /// <summary>A client over <see cref="CreateHandler"/>; the resilience pipeline times every attempt, so the client's own timeout stays out of the way.</summary>
    /// <param name="verifyTls">Whether OP certificates are verified.</param>
    internal static HttpClient CreateClient(bool verifyTls) => new(CreateHandler(verifyTls)) { Timeout = Timeout.InfiniteTimeSpan };
}
