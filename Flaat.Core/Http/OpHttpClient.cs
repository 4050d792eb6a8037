using System.Net;

namespace Flaat.Http;

/// <summary>The one HTTP client Flaat builds for calls to OPs (the engine's and the JWKS client's own).</summary>
internal static class OpHttpClient
{
    /// <summary>
    /// A client that never follows redirects (an OP's answer comes from the URL its discovery names:
    /// a followed 302 would make another origin's JSON the user's claims, a 307 would re-send the
    /// token), keeps no cookies (one jar would be shared by every user's calls), and leaves timing
    /// to the resilience pipeline.
    /// </summary>
    /// <param name="verifyTls">Whether OP certificates are verified (<see cref="FlaatOptions.VerifyTls"/>).</param>
    public static HttpClient Create(bool verifyTls)
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

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
