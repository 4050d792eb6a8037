using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Flaat.Redis;

/// <summary>
/// How Flaat shares its token cache on Redis (<see cref="FlaatRedisBuilderExtensions.AddRedis(AspNetCore.FlaatBuilder, Action{FlaatRedisOptions})"/>).
/// Validated at start-up; every invalid setting is named.
/// </summary>
public sealed class FlaatRedisOptions
{
    /// <summary>The StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c> or <c>redis:6379,password=...,ssl=true</c>; used unless <see cref="ConnectionMultiplexer"/> is set.</summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// An existing connection to use instead of <see cref="Configuration"/> (e.g. the one the
    /// application already has); Flaat neither closes nor disposes it. <see langword="null"/> by default.
    /// </summary>
    public IConnectionMultiplexer? ConnectionMultiplexer { get; set; }

    /// <summary>
    /// The prefix of every key and channel Flaat uses (<c>flaat:</c> by default), so one Redis can serve
    /// several applications: keys are <c>{prefix}v1:...</c> followed by hex SHA-256 hashes, never a token.
    /// Applications whose replicas must share their cache use the same prefix; others use their own.
    /// </summary>
    public string KeyPrefix { get; set; } = "flaat:";

    /// <summary>
    /// How long one Redis operation may take on the request path (50 ms by default); past it the
    /// request goes on without Redis (as on a miss) and Redis counts as down for <see cref="RetryInterval"/>.
    /// </summary>
    public TimeSpan OperationBudget { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long Redis is left alone after a fault (5 s by default): meanwhile requests do not wait for
    /// it at all; then one operation tries it again.
    /// </summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Validates <see cref="FlaatRedisOptions"/> at start-up, naming every invalid setting by its path.</summary>
internal sealed class FlaatRedisOptionsValidation : IValidateOptions<FlaatRedisOptions>
{
    public ValidateOptionsResult Validate(string? name, FlaatRedisOptions options)
    {
        var errors = Errors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Every problem of the settings, each naming its setting; empty when they are valid.</summary>
    public static List<string> Errors(FlaatRedisOptions options)
    {
        var errors = new List<string>();
        const string Section = nameof(FlaatRedisOptions) + ".";
        if (options.ConnectionMultiplexer is null)
        {
            if (string.IsNullOrWhiteSpace(options.Configuration))
            {
                errors.Add($"{Section}{nameof(FlaatRedisOptions.Configuration)} is required (a StackExchange.Redis configuration string such as 127.0.0.1:6379) unless {nameof(FlaatRedisOptions.ConnectionMultiplexer)} is set.");
            }
            else
            {
                try
                {
                    ConfigurationOptions.Parse(options.Configuration);
                }
                catch (ArgumentException e)
                {
                    errors.Add($"{Section}{nameof(FlaatRedisOptions.Configuration)} is not a StackExchange.Redis configuration string: {e.Message}");
                }
            }
        }

        if (options.KeyPrefix is null || options.KeyPrefix.Length > 100 || options.KeyPrefix.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add($"{Section}{nameof(FlaatRedisOptions.KeyPrefix)} must be at most 100 characters without spaces or control characters (default \"flaat:\").");
        }

        if (options.OperationBudget <= TimeSpan.Zero || options.OperationBudget > TimeSpan.FromSeconds(10))
        {
            errors.Add($"{Section}{nameof(FlaatRedisOptions.OperationBudget)} must be more than 0 and at most 10 s (default 50 ms).");
        }

        if (options.RetryInterval <= TimeSpan.Zero || options.RetryInterval > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{Section}{nameof(FlaatRedisOptions.RetryInterval)} must be more than 0 and at most 10 min (default 5 s).");
        }

        return errors;
    }
}
