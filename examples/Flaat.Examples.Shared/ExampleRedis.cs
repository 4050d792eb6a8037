using Flaat.AspNetCore;
using Flaat.Redis;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Flaat.Examples;

/// <summary>
/// Makes an example one replica of a fleet: when <c>Flaat:Cache:Redis</c> names a Redis server
/// (e.g. <c>Flaat__Cache__Redis=127.0.0.1:6379</c>), token outcomes are shared there and the Data
/// Protection key ring that protects them is kept there too, so every replica reads what another
/// one wrote. Without the key nothing changes.
/// </summary>
public static class ExampleRedis
{
    /// <summary>The configuration key that turns Redis on: a StackExchange.Redis configuration string.</summary>
    public const string ConfigurationKey = "Flaat:Cache:Redis";

    /// <summary>Optional: how long one Redis operation may take on the request path (Flaat.Redis' default, 50 ms, when unset).</summary>
    public const string OperationBudgetKey = "Flaat:Cache:RedisOperationBudget";

    /// <summary>Where the shared Data Protection key ring lives in Redis.</summary>
    public const string KeyRingKey = "flaat-examples:data-protection-keys";

    /// <summary>The Data Protection application name all replicas share (their key ring and purposes must match).</summary>
    public const string ApplicationName = "Flaat.Examples";

    /// <summary>Shares the cache on Redis when <see cref="ConfigurationKey"/> is set; otherwise does nothing.</summary>
    /// <param name="flaat">The builder <c>AddFlaat</c> returned.</param>
    /// <param name="configuration">The application's configuration.</param>
    /// <returns>The builder.</returns>
    public static FlaatBuilder AddRedisWhenConfigured(this FlaatBuilder flaat, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(flaat);
        ArgumentNullException.ThrowIfNull(configuration);
        var redis = configuration[ConfigurationKey];
        if (string.IsNullOrWhiteSpace(redis))
        {
            return flaat;
        }

        var budget = configuration.GetValue<TimeSpan?>(OperationBudgetKey);
        flaat.AddRedis(options =>
        {
            options.Configuration = redis;
            options.OperationBudget = budget ?? options.OperationBudget;
        });

        // One key ring for the fleet, in the same Redis; connected on first use, so a replica starts
        // while Redis is down (then its values do not decrypt elsewhere: a miss, never an admission).
        var options = ConfigurationOptions.Parse(redis);
        options.AbortOnConnectFail = false;
        var connection = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(options));
        flaat.Services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToStackExchangeRedis(() => connection.Value.GetDatabase(), KeyRingKey);
        return flaat;
    }
}
