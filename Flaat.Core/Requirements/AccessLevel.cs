using System.Globalization;

namespace Flaat.Requirements;

/// <summary>
/// A named requirement that endpoints refer to by name (flaat's access levels). The defaults are
/// <see cref="Anyone"/>, <see cref="NoOne"/> and <see cref="Identified"/>; more are defined in
/// code or in configuration (<see cref="FlaatAccessOptions"/>).
/// </summary>
public sealed partial class AccessLevel
{
    /// <summary>Creates an access level.</summary>
    /// <param name="name">The level's name.</param>
    /// <param name="requirement">What a user must satisfy.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public AccessLevel(string name, Requirement requirement)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(requirement);
        Name = name;
        Requirement = requirement;
    }

    /// <summary>Everyone, even without a subject or issuer (<see cref="Satisfied"/>): <c>ANYONE</c>.</summary>
    public static AccessLevel Anyone { get; } = new("ANYONE", new Satisfied());

    /// <summary>No one (<see cref="Unsatisfiable"/>): <c>NOONE</c>.</summary>
    public static AccessLevel NoOne { get; } = new("NOONE", new Unsatisfiable());

    /// <summary>Every user with a subject and an issuer (<see cref="HasSubIss"/>): <c>IDENTIFIED</c>.</summary>
    public static AccessLevel Identified { get; } = new("IDENTIFIED", new HasSubIss());

    /// <summary>The default levels: <see cref="Anyone"/>, <see cref="NoOne"/>, <see cref="Identified"/>.</summary>
    public static IReadOnlyList<AccessLevel> Defaults { get; } = [Anyone, NoOne, Identified];

    /// <summary>The level's name.</summary>
    public string Name { get; }

    /// <summary>What a user must satisfy.</summary>
    public Requirement Requirement { get; }

    /// <summary>
    /// Builds an access level from its configuration. <see cref="AccessLevelOptions.Kind"/>:
    /// <c>claim</c> (<see cref="Require.Claim(IEnumerable{string}, string, Match)"/>),
    /// <c>vo</c> (<see cref="Require.Vo(IEnumerable{string}, string, Match)"/>: groups or AARC entitlements, by default in <c>eduperson_entitlement</c>),
    /// <c>audience</c> (<see cref="Require.Audience(IEnumerable{string}, Func{string, bool}, Match?)"/>),
    /// <c>scope</c> (<see cref="Require.Scope(IEnumerable{string}, Match, string)"/>),
    /// <c>authenticated</c> (<see cref="HasSubIss"/>), or a research profile's kind:
    /// <c>capability</c> (<see cref="Wlcg.Capability(string)"/>), <c>wlcg-group</c> (<see cref="Wlcg.Group(string)"/>), <c>assurance</c> (<see cref="Refeds.Assurance(string)"/>) or <c>acr</c> (<see cref="Refeds.Acr"/>; match one by default).
    /// </summary>
    /// <param name="name">The level's name (the key under <c>Flaat:AccessLevels</c>).</param>
    /// <param name="options">The level's settings.</param>
    /// <param name="issuerSupportsAudience">For <c>audience</c>: which issuers' audiences are checked (see <see cref="Require.IssuerSupportsAudience(FlaatOptions)"/>); all when <see langword="null"/>.</param>
    /// <returns>The access level.</returns>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it (<c>Flaat:AccessLevels:name:Setting</c>) and says why.</exception>
    public static AccessLevel Create(string name, AccessLevelOptions options, Func<string, bool>? issuerSupportsAudience = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var level = TryCreate(name, options, issuerSupportsAudience, errors);
        return level ?? throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
    }

    /// <summary>
    /// Lists every problem of the configured levels (<see cref="FlaatAccessOptions.AccessLevels"/>),
    /// each starting with its configuration path (<c>Flaat:AccessLevels:name:Setting</c>); empty when
    /// they are valid. Call it at start-up: it reports every invalid setting at once.
    /// </summary>
    /// <param name="options">The access levels.</param>
    /// <returns>One message per problem.</returns>
    public static IReadOnlyList<string> Validate(FlaatAccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        _ = CreateConfigured(options, issuerSupportsAudience: null, errors);
        return errors;
    }

    /// <summary>
    /// Every access level: the <see cref="Defaults"/>, then those defined in code
    /// (<see cref="FlaatAccessOptions.DefinedInCode"/>), then those of configuration
    /// (<see cref="FlaatAccessOptions.AccessLevels"/>); a later one replaces an earlier one of the same name.
    /// </summary>
    /// <param name="options">The access levels.</param>
    /// <param name="issuerSupportsAudience">For <c>audience</c> levels: which issuers' audiences are checked (see <see cref="Require.IssuerSupportsAudience(FlaatOptions)"/>); all when <see langword="null"/>.</param>
    /// <returns>The levels by name (case-insensitive).</returns>
    /// <exception cref="ArgumentException">Configured levels are invalid; the message has one line per problem (see <see cref="Validate"/>).</exception>
    public static IReadOnlyDictionary<string, AccessLevel> CreateAll(FlaatAccessOptions options, Func<string, bool>? issuerSupportsAudience = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var levels = new Dictionary<string, AccessLevel>(StringComparer.OrdinalIgnoreCase);
        foreach (var level in Defaults)
        {
            levels[level.Name] = level;
        }

        foreach (var (name, requirement) in options.DefinedInCode)
        {
            levels[name] = new AccessLevel(name, requirement);
        }

        var errors = new List<string>();
        foreach (var level in CreateConfigured(options, issuerSupportsAudience, errors))
        {
            levels[level.Name] = level;
        }

        return errors.Count == 0
            ? levels
            : throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
    }

    private static List<AccessLevel> CreateConfigured(FlaatAccessOptions options, Func<string, bool>? issuerSupportsAudience, List<string> errors)
    {
        var levels = new List<AccessLevel>();
        foreach (var (name, levelOptions) in options.AccessLevels)
        {
            if (levelOptions is null)
            {
                errors.Add($"{Prefix(name)} is empty.");
            }
            else if (TryCreate(name, levelOptions, issuerSupportsAudience, errors) is { } level)
            {
                levels.Add(level);
            }
        }

        return levels;
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static AccessLevel? TryCreate(string name, AccessLevelOptions options, Func<string, bool>? issuerSupportsAudience, List<string> errors)
    {
        var prefix = Prefix(name);
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add($"{prefix}: an access level needs a name.");
            return null;
        }

        var count = errors.Count;
        var kind = options.Kind?.Trim().ToLowerInvariant();
        var values = options.Values ?? [];
        Match? match = null;
        if (options.Match is { } matchText)
        {
            if (Match.TryParse(matchText, out var parsed))
            {
                match = parsed;
            }
            else
            {
                errors.Add($"{prefix}:Match must be 'all', 'one' or a positive number, got '{matchText}'.");
            }
        }

        switch (kind)
        {
            case "authenticated":
                if (values.Count > 0)
                {
                    errors.Add($"{prefix}:Values must be empty for kind 'authenticated'.");
                }

                RejectClaim(prefix, kind, options.Claim, errors);
                break;
            case "claim":
                if (string.IsNullOrWhiteSpace(options.Claim))
                {
                    errors.Add($"{prefix}:Claim must name the claim to check for kind 'claim'.");
                }

                CheckValues(prefix, values, match ?? Match.All, errors);
                break;
            case "vo":
            case "scope":
                if (options.Claim is not null && string.IsNullOrWhiteSpace(options.Claim))
                {
                    errors.Add($"{prefix}:Claim must not be empty; leave it out for the default.");
                }

                CheckValues(prefix, values, match ?? Match.All, errors);
                break;
            case "audience":
                RejectClaim(prefix, kind, options.Claim, errors);
                CheckValues(prefix, values, match ?? Match.One, errors);
                break;
            case not null when IsProfileKind(kind):
                RejectClaim(prefix, kind, options.Claim, errors);
                CheckValues(prefix, values, match ?? DefaultMatch(kind), errors);
                break;
            default:
                errors.Add($"{prefix}:Kind must be 'claim', 'vo', 'audience', 'scope', 'authenticated', {ProfileKinds}, got '{options.Kind}'.");
                break;
        }

        if (errors.Count > count)
        {
            return null;
        }

        try
        {
            return new AccessLevel(name, kind switch
            {
                "authenticated" => new HasSubIss(),
                "claim" => Require.Claim(values, options.Claim!, match ?? Match.All),
                "vo" => Require.Vo(values, options.Claim ?? Require.DefaultVoClaim, match ?? Match.All),
                "scope" => Require.Scope(values, match ?? Match.All, options.Claim ?? HasScope.ScopeClaim),
                _ when IsProfileKind(kind) => CreateProfileKind(kind!, values, match ?? DefaultMatch(kind!)),
                _ => Require.Audience(values, issuerSupportsAudience, match ?? Match.One),
            });
        }
        catch (ArgumentException e)
        {
            // A value the requirement itself rejects, such as a scope with a space.
            errors.Add($"{prefix}:Values: {e.Message}");
            return null;
        }
    }

    private static void CheckValues(string prefix, IList<string> values, Match match, List<string> errors)
    {
        if (values.Count == 0)
        {
            errors.Add($"{prefix}:Values must list at least one value.");
            return;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is null)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{prefix}:Values:{i} is null."));
            }
        }

        if (match.Minimum > values.Count)
        {
            errors.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{prefix}:Match asks for at least {match.Minimum} values but Values lists only {values.Count}."));
        }
    }

    private static void RejectClaim(string prefix, string kind, string? claim, List<string> errors)
    {
        if (claim is not null)
        {
            errors.Add($"{prefix}:Claim is not used by kind '{kind}'; remove it.");
        }
    }

    private static string Prefix(string? name) => $"{FlaatOptions.SectionName}:AccessLevels:{name}";
}
