using System.Diagnostics.Metrics;
using Flaat.AspNetCore;
using Flaat.Caching;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Flaat.Redis;

/// <summary>Shares Flaat's token cache between the replicas of an API on Redis.</summary>
public static class FlaatRedisBuilderExtensions
{
    /// <summary>
    /// Shares the token cache on the Redis at <paramref name="configuration"/> (a StackExchange.Redis
    /// configuration string such as <c>127.0.0.1:6379</c>), with the other options at their defaults.
    /// </summary>
    /// <param name="builder">The builder <c>services.AddFlaat(...)</c> returned.</param>
    /// <param name="configuration">The Redis configuration string.</param>
    /// <returns>The builder.</returns>
    public static FlaatBuilder AddRedis(this FlaatBuilder builder, string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        return builder.AddRedis(options => options.Configuration = configuration);
    }

    /// <summary>
    /// Shares the token cache on Redis: each token's outcome and the opaque token → issuer memo are kept
    /// there (behind the in-memory cache, which answers repeated requests alone), one replica asks the OP
    /// about a new token while the others wait for its answer, and a revocation
    /// (<see cref="IFlaatTokenRevoker"/>) reaches every replica. Values are protected with ASP.NET Core
    /// Data Protection (added when the application has not; the replicas must share its key ring and
    /// application name, see the package's README). Redis faults never fail a request.
    /// </summary>
    /// <param name="builder">The builder <c>services.AddFlaat(...)</c> returned.</param>
    /// <param name="configure">Sets the options (at least <see cref="FlaatRedisOptions.Configuration"/> or <see cref="FlaatRedisOptions.ConnectionMultiplexer"/>).</param>
    /// <returns>The builder.</returns>
    public static FlaatBuilder AddRedis(this FlaatBuilder builder, Action<FlaatRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<FlaatRedisOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FlaatRedisOptions>, FlaatRedisOptionsValidation>());
        // Values are personal data and must not be forgeable by whoever can write to Redis: always
        // protected. The application's own Data Protection set-up (a key ring shared by the replicas)
        // is used; without one, the default (keys of this machine and user) is added.
        services.AddDataProtection();
        services.TryAddSingleton(CreateStore);
        services.TryAddSingleton(CreateCache);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RedisStartup>());

        // Flaat's caches are this package's from now on, whatever was registered before.
        services.RemoveAll<IFlaatTokenCache>();
        services.AddSingleton<IFlaatTokenCache>(static sp => sp.GetRequiredService<RedisTokenCache>());
        services.RemoveAll<IFlaatReplayCache>();
        services.AddSingleton<IFlaatReplayCache>(static sp => new RedisReplayCache(sp.GetRequiredService<RedisStore>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return builder;
    }

    private static RedisStore CreateStore(IServiceProvider services) => new(
        services.GetRequiredService<IOptions<FlaatRedisOptions>>().Value,
        services.GetService<TimeProvider>() ?? TimeProvider.System,
        Logger(services),
        services.GetService<IMeterFactory>());

    private static RedisTokenCache CreateCache(IServiceProvider services) => new(
        services.GetRequiredService<RedisStore>(),
        new OutcomeCodec(services.GetRequiredService<IDataProtectionProvider>(), services.GetRequiredService<IOptions<FlaatRedisOptions>>().Value.KeyPrefix),
        services.GetRequiredService<IOptions<FlaatOptions>>().Value,
        services.GetService<TimeProvider>() ?? TimeProvider.System,
        Logger(services));

    private static ILogger Logger(IServiceProvider services) =>
        services.GetService<ILoggerFactory>()?.CreateLogger("Flaat.Redis") ?? NullLogger.Instance;
}
