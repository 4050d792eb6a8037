using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>Creates the token engine and its HTTP handler for the DI container.</summary>
internal static class FlaatEngineFactory
{
    /// <summary>
    /// The primary handler of Flaat's named <see cref="HttpClient"/>: connections are recycled so
    /// DNS changes of an OP are seen although the engine keeps its client for the application's
    /// lifetime; TLS certificates are verified unless <see cref="FlaatOptions.VerifyTls"/> is off;
    /// redirects are not followed (an OP's 3xx answer is reported as an OP fault).
    /// </summary>
    public static HttpMessageHandler CreatePrimaryHandler(FlaatOptions options) => Flaat.Http.OpHttpClient.CreateHandler(options.VerifyTls);

    /// <summary>The token engine over Flaat's named client, the application's clock and logging.</summary>
    public static IFlaatAuthenticator CreateAuthenticator(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<FlaatOptions>>().Value;
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(FlaatServiceCollectionExtensions.HttpClientName);

        // The engine enforces FlaatOptions.RequestTimeout per call; the client must not cut it shorter.
        http.Timeout = Timeout.InfiniteTimeSpan;
        return new FlaatAuthenticator(options, http, services.GetService<TimeProvider>(), services.GetService<ILoggerFactory>(), services.GetServices<IUserInfosPostProcessor>());
    }
}
