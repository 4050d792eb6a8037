using System.Diagnostics.Metrics;
using Flaat.Caching;
using Flaat.Diagnostics;
using Flaat.Engine;
using Flaat.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>Creates the token engine and its HTTP handler for the DI container.</summary>
internal static class FlaatEngineFactory
{
    /// <summary>
    /// The primary handler of Flaat's named <see cref="HttpClient"/>, the engine's own
    /// (<see cref="FlaatHttp.CreateHandler"/>): connections are recycled so DNS changes of an OP are
    /// seen although the engine keeps its client for the application's lifetime; TLS certificates are
    /// verified unless <see cref="FlaatOptions.VerifyTls"/> is off; redirects are not followed.
    /// </summary>
    public static HttpMessageHandler CreatePrimaryHandler(FlaatOptions options) => FlaatHttp.CreateHandler(options.VerifyTls);

    /// <summary>
    /// The token engine over Flaat's named client, the application's clock, logging and meter factory
    /// (the host's <c>AddMetrics</c>; without one the engine uses Flaat's process-wide meter).
    /// </summary>
    public static IFlaatAuthenticator CreateAuthenticator(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<FlaatOptions>>().Value;
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(FlaatServiceCollectionExtensions.HttpClientName);

        // The engine enforces FlaatOptions.RequestTimeout per call; the client must not cut it shorter.
        http.Timeout = Timeout.InfiniteTimeSpan;
        return new FlaatAuthenticator(
            options,
            http,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>(),
            services.GetServices<IUserInfosPostProcessor>(),
            services.GetService<IMeterFactory>(),
            services.GetService<IFlaatTokenCache>());
    }

    /// <summary>
    /// The issuer monitor: the registered authenticator when it keeps issuers (Flaat's engine does),
    /// otherwise one that shows none (an application's own authenticator has nothing to show).
    /// </summary>
    public static IFlaatIssuerMonitor GetIssuerMonitor(IServiceProvider services) =>
        services.GetRequiredService<IFlaatAuthenticator>() as IFlaatIssuerMonitor ?? NoIssuers.Instance;

    /// <summary>
    /// The revoker: the registered authenticator when it can forget tokens (Flaat's engine can); an
    /// application's own authenticator gets one that says so when called, rather than a silent no-op.
    /// </summary>
    public static IFlaatTokenRevoker GetRevoker(IServiceProvider services) =>
        services.GetRequiredService<IFlaatAuthenticator>() as IFlaatTokenRevoker ?? NoRevocation.Instance;

    private sealed class NoRevocation : IFlaatTokenRevoker
    {
        public static readonly NoRevocation Instance = new();

        public ValueTask RevokeAsync(string accessToken, CancellationToken cancellationToken) => throw Unsupported();

        public ValueTask RevokeAsync(TokenHash key, CancellationToken cancellationToken) => throw Unsupported();

        private static NotSupportedException Unsupported() =>
            new("The registered IFlaatAuthenticator cannot revoke tokens; register an IFlaatTokenRevoker of your own, or use Flaat's engine");
    }

    private sealed class NoIssuers : IFlaatIssuerMonitor
    {
        public static readonly NoIssuers Instance = new();

        public IReadOnlyList<FlaatIssuerState> GetIssuers() => [];
    }
}
