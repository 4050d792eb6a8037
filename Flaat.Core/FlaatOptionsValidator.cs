namespace Flaat;

/// <summary>
/// Checks <see cref="FlaatOptions"/> at start-up. Every problem is reported, each naming its
/// setting as a configuration path (for example <c>Flaat:TrustedIssuers:0</c>).
/// </summary>
public static class FlaatOptionsValidator
{
    private const string Prefix = FlaatOptions.SectionName + ":";

    /// <summary>Lists every problem of the settings; empty when they are valid.</summary>
    /// <param name="options">The settings.</param>
    /// <returns>One message per problem, each starting with the setting's configuration path.</returns>
    public static IReadOnlyList<string> Validate(FlaatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var insecure = options.AllowInsecureHttpIssuers;

        var trusted = options.TrustedIssuers ?? [];
        var issuers = options.Issuers ?? [];
        for (var i = 0; i < trusted.Count; i++)
        {
            if (IssuerUrl.Problem(trusted[i], insecure) is { } problem)
            {
                errors.Add($"{Prefix}TrustedIssuers:{i} {problem}.");
            }
        }

        if (options.Issuer is not null && IssuerUrl.Problem(options.Issuer, insecure) is { } pinProblem)
        {
            errors.Add($"{Prefix}Issuer {pinProblem}.");
        }

        if (trusted.Count == 0 && issuers.Count == 0 && string.IsNullOrWhiteSpace(options.Issuer))
        {
            errors.Add($"{Prefix}TrustedIssuers is empty: name at least one trusted issuer (or set {Prefix}Issuer or {Prefix}Issuers).");
        }

        CheckCredentials(errors, $"{Prefix}", options.ClientId, options.ClientSecret);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < issuers.Count; i++)
        {
            var entry = issuers[i];
            var path = $"{Prefix}Issuers:{i}:";
            if (entry is null)
            {
                errors.Add($"{path}Issuer is empty.");
                continue;
            }

            if (IssuerUrl.Problem(entry.Issuer, insecure) is { } problem)
            {
                errors.Add($"{path}Issuer {problem}.");
            }
            else if (!seen.Add(IssuerUrl.Normalize(entry.Issuer)))
            {
                errors.Add($"{path}Issuer '{entry.Issuer}' is listed twice in {Prefix}Issuers.");
            }

            CheckCredentials(errors, path, entry.ClientId, entry.ClientSecret);
            CheckTokenTypes(errors, $"{path}AccessTokenTypes", entry.AccessTokenTypes);
            CheckAudiences(errors, $"{path}Audiences", entry.Audiences);
            if (!entry.SupportsAudience && entry.Audiences is { Count: > 0 })
            {
                errors.Add($"{path}Audiences is set, but {path}SupportsAudience is false: this issuer's audiences cannot be checked.");
            }
        }

        CheckAudiences(errors, $"{Prefix}Audiences", options.Audiences);

        CheckRange(errors, "RequestTimeout", options.RequestTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5));
        CheckRange(errors, "ClockSkew", options.ClockSkew, TimeSpan.Zero, TimeSpan.FromHours(1));

        if (options.TokenClaimsSuffice && !options.VerifyJwt)
        {
            errors.Add($"{Prefix}TokenClaimsSuffice needs {Prefix}VerifyJwt: the claims of an unverified token must never suffice.");
        }

        FlaatDpopOptionsValidator.Validate(errors, options);

        if (options.Cache is not { } cache)
        {
            errors.Add($"{Prefix}Cache is missing.");
        }
        else
        {
            CheckAtLeast(errors, "Cache:MaxUserInfos", cache.MaxUserInfos, 1);
            CheckAtLeast(errors, "Cache:MaxTokenIssuers", cache.MaxTokenIssuers, 1);
            CheckRange(errors, "Cache:MaxUserInfosLifetime", cache.MaxUserInfosLifetime, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
            CheckRange(errors, "Cache:RejectionLifetime", cache.RejectionLifetime, TimeSpan.Zero, TimeSpan.FromHours(1));
            CheckRange(errors, "Cache:IssuerConfigurationLifetime", cache.IssuerConfigurationLifetime, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7));
            CheckRange(errors, "Cache:JwksRefreshInterval", cache.JwksRefreshInterval, TimeSpan.Zero, TimeSpan.FromDays(1));
            CheckRange(errors, "Cache:TokenIssuerLifetime", cache.TokenIssuerLifetime, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7));
            CheckRange(errors, "Cache:StaleConfigurationLifetime", cache.StaleConfigurationLifetime, TimeSpan.Zero, TimeSpan.FromHours(1));
        }

        if (options.Probing is not { } probing)
        {
            errors.Add($"{Prefix}Probing is missing.");
        }
        else
        {
            CheckAtLeast(errors, "Probing:MaxParallelism", probing.MaxParallelism, 1);
            CheckRange(errors, "Probing:Deadline", probing.Deadline, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5));
            CheckAtLeast(errors, "Probing:MaxConcurrentProbes", probing.MaxConcurrentProbes, 1);
            CheckAtLeast(errors, "Probing:MaxProbesPerSecond", probing.MaxProbesPerSecond, 1);
        }

        if (options.Resilience is not { } resilience)
        {
            errors.Add($"{Prefix}Resilience is missing.");
        }
        else
        {
            if (resilience.MaxRetries is < 0 or > 10)
            {
                errors.Add($"{Prefix}Resilience:MaxRetries must be between 0 and 10, not {resilience.MaxRetries}.");
            }

            CheckAtLeast(errors, "Resilience:CircuitBreakerFailureThreshold", resilience.CircuitBreakerFailureThreshold, 2);
            CheckRange(errors, "Resilience:CircuitBreakDuration", resilience.CircuitBreakDuration, TimeSpan.FromMilliseconds(500), TimeSpan.FromDays(1));
        }

        if (options.Keys is not { } keys)
        {
            errors.Add($"{Prefix}Keys is missing.");
        }
        else
        {
            if (keys.MinimumRsaKeySize is < 1024 or > 16384)
            {
                errors.Add($"{Prefix}Keys:MinimumRsaKeySize must be between 1024 and 16384, not {keys.MinimumRsaKeySize}.");
            }

            if (keys.MaxKeysPerSet is < 1 or > 10_000)
            {
                errors.Add($"{Prefix}Keys:MaxKeysPerSet must be between 1 and 10000, not {keys.MaxKeysPerSet}.");
            }

            if (keys.MaxSignatureAttempts is < 1 or > 100)
            {
                errors.Add($"{Prefix}Keys:MaxSignatureAttempts must be between 1 and 100, not {keys.MaxSignatureAttempts}.");
            }
        }

        return errors;
    }

    private static void CheckCredentials(List<string> errors, string path, string? clientId, string? clientSecret)
    {
        if (string.IsNullOrEmpty(clientId) != string.IsNullOrEmpty(clientSecret))
        {
            errors.Add(string.IsNullOrEmpty(clientId)
                ? $"{path}ClientSecret is set without {path}ClientId."
                : $"{path}ClientId is set without {path}ClientSecret.");
        }
    }

    private static void CheckAudiences(List<string> errors, string path, IList<string>? audiences)
    {
        for (var i = 0; i < (audiences?.Count ?? 0); i++)
        {
            if (string.IsNullOrWhiteSpace(audiences![i]))
            {
                errors.Add($"{path}:{i} is empty.");
            }
        }
    }

    private static void CheckTokenTypes(List<string> errors, string path, IList<string>? types)
    {
        for (var i = 0; i < (types?.Count ?? 0); i++)
        {
            if (!JwtType.IsValid(types![i]))
            {
                errors.Add($"{path}:{i} '{types[i]}' is not a media type such as at+jwt, application/at+jwt or JWT.");
            }
        }
    }

    private static void CheckAtLeast(List<string> errors, string name, int value, int minimum)
    {
        if (value < minimum)
        {
            errors.Add($"{Prefix}{name} must be at least {minimum}, not {value}.");
        }
    }

    private static void CheckRange(List<string> errors, string name, TimeSpan value, TimeSpan minimum, TimeSpan maximum)
    {
        if (value < minimum || value > maximum)
        {
            errors.Add($"{Prefix}{name} must be between {minimum} and {maximum}, not {value}.");
        }
    }
}
