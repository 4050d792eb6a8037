using System.Globalization;

namespace Flaat.Requirements;

/// <summary>
/// Builds the common requirements from required values, as flaat's <c>get_claim_requirement</c>,
/// <c>get_vo_requirement</c> and <c>get_audience_requirement</c> do: one value gives one check; a
/// list gives an <see cref="AllOf"/> (<see cref="Match.All"/>), a <see cref="OneOf"/>
/// (<see cref="Match.One"/>) or an <see cref="NOf"/> (<see cref="Match.AtLeast(int)"/>); a list of
/// one value gives that value's check alone. Invalid arguments throw an <see cref="ArgumentException"/>
/// that says what is wrong.
/// </summary>
public static class Require
{
    private static readonly Func<string, bool> EveryIssuerSupportsAudience = static _ => true;

    /// <summary>A user with a subject and an issuer (<see cref="HasSubIss"/>).</summary>
    public static Requirement Authenticated() => new HasSubIss();

    /// <summary>A claim with a value (<see cref="HasClaim"/>).</summary>
    /// <param name="required">The required value.</param>
    /// <param name="claim">The claim's name.</param>
    /// <exception cref="ArgumentException"><paramref name="claim"/> is empty.</exception>
    public static Requirement Claim(string required, string claim) => new HasClaim(required, claim);

    /// <summary>A claim with some or all of the values (<see cref="HasClaim"/> for each).</summary>
    /// <param name="required">The required values, at least one.</param>
    /// <param name="claim">The claim's name.</param>
    /// <param name="match">How many of the values the user must have.</param>
    /// <exception cref="ArgumentException">No value, a null value, an empty claim name, or a match asking for more values than given.</exception>
    public static Requirement Claim(IEnumerable<string> required, string claim, Match match = default)
    {
        ClaimRequirement.ValidateClaimName(claim, nameof(claim));
        return Combine(required, match, value => new HasClaim(value, claim));
    }

    /// <summary>The claim <see cref="Vo(string, string)"/> reads by default, <c>eduperson_entitlement</c>.</summary>
    public const string DefaultVoClaim = HasAarcEntitlement.DefaultClaim;

    /// <summary>A group or an AARC entitlement in <c>eduperson_entitlement</c> (<see cref="HasAarcEntitlement"/>).</summary>
    /// <param name="required">The required entitlement (AARC-G069) or group name.</param>
    public static Requirement Vo(string required) => new HasAarcEntitlement(required);

    /// <summary>A group or an AARC entitlement (<see cref="HasAarcEntitlement"/>), flaat's <c>get_vo_requirement</c>.</summary>
    /// <param name="required">The required entitlement (AARC-G069) or group name.</param>
    /// <param name="claim">The claim holding the user's entitlements or groups.</param>
    /// <exception cref="ArgumentException"><paramref name="claim"/> is empty.</exception>
    public static Requirement Vo(string required, string claim) => new HasAarcEntitlement(required, claim);

    /// <summary>Some or all of several groups or AARC entitlements (<see cref="HasAarcEntitlement"/> for each).</summary>
    /// <param name="required">The required entitlements or group names, at least one.</param>
    /// <param name="claim">The claim holding the user's entitlements or groups.</param>
    /// <param name="match">How many of the values the user must have.</param>
    /// <exception cref="ArgumentException">No value, a null value, an empty claim name, or a match asking for more values than given.</exception>
    public static Requirement Vo(IEnumerable<string> required, string claim = DefaultVoClaim, Match match = default)
    {
        ClaimRequirement.ValidateClaimName(claim, nameof(claim));
        return Combine(required, match, value => new HasAarcEntitlement(value, claim));
    }

    /// <summary>
    /// An audience in the token's <c>aud</c> claim (<see cref="HasAudience"/>), checked for every
    /// issuer; an empty <paramref name="required"/> is always satisfied, as in flaat.
    /// </summary>
    /// <param name="required">The required audience, or an empty string for none.</param>
    public static Requirement Audience(string required) => Audience(required, issuerSupportsAudience: null);

    /// <summary>
    /// An audience in the token's <c>aud</c> claim (<see cref="HasAudience"/>); an empty
    /// <paramref name="required"/> is always satisfied, as in flaat.
    /// </summary>
    /// <param name="required">The required audience, or an empty string for none.</param>
    /// <param name="issuerSupportsAudience">Which issuers' audiences are checked; all when <see langword="null"/>. See <see cref="IssuerSupportsAudience(FlaatOptions)"/>.</param>
    public static Requirement Audience(string required, Func<string, bool>? issuerSupportsAudience)
    {
        ArgumentNullException.ThrowIfNull(required);
        return required.Length == 0 ? new Satisfied() : new HasAudience(required, issuerSupportsAudience);
    }

    /// <summary>
    /// Audiences in the token's <c>aud</c> claim: by default one of them, as in flaat. An empty
    /// list is always satisfied, as in flaat.
    /// </summary>
    /// <param name="required">The acceptable audiences.</param>
    /// <param name="issuerSupportsAudience">Which issuers' audiences are checked; all when <see langword="null"/>. See <see cref="IssuerSupportsAudience(FlaatOptions)"/>.</param>
    /// <param name="match">How many of the audiences the token must have; <see cref="Match.One"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">A null value, or a match asking for more values than given.</exception>
    public static Requirement Audience(IEnumerable<string> required, Func<string, bool>? issuerSupportsAudience = null, Match? match = null)
    {
        ArgumentNullException.ThrowIfNull(required);
        var values = required.ToArray();
        return values.Length == 0
            ? new Satisfied()
            : Combine(values, match ?? Match.One, value => new HasAudience(value, issuerSupportsAudience));
    }

    /// <summary>An OAuth scope in the token's space-separated <c>scope</c> claim (<see cref="HasScope"/>).</summary>
    /// <param name="required">The required scope.</param>
    /// <exception cref="ArgumentException">The scope is empty or has a space.</exception>
    public static Requirement Scope(string required) => new HasScope(required);

    /// <summary>An OAuth scope in a space-separated claim other than <c>scope</c> (<see cref="HasScope"/>).</summary>
    /// <param name="required">The required scope.</param>
    /// <param name="claim">The claim holding the scopes, e.g. <c>scp</c>.</param>
    /// <exception cref="ArgumentException">The scope is empty or has a space, or the claim name is empty.</exception>
    public static Requirement Scope(string required, string claim) => new HasScope(required, claim);

    /// <summary>Some or all of several OAuth scopes (<see cref="HasScope"/> for each).</summary>
    /// <param name="required">The required scopes, at least one.</param>
    /// <param name="match">How many of the scopes the token must grant.</param>
    /// <param name="claim">The claim holding the scopes.</param>
    /// <exception cref="ArgumentException">No scope, an invalid scope, an empty claim name, or a match asking for more scopes than given.</exception>
    public static Requirement Scope(IEnumerable<string> required, Match match = default, string claim = HasScope.ScopeClaim)
    {
        ClaimRequirement.ValidateClaimName(claim, nameof(claim));
        return Combine(required, match, value => new HasScope(value, claim));
    }

    /// <summary>
    /// Tells whether an issuer's audiences are checked, from <see cref="IssuerOptions.SupportsAudience"/>
    /// (issuers without an entry are checked; trailing slashes are ignored). Takes a snapshot of the settings;
    /// <see cref="HasAudience"/> given this predicate also honours <see cref="IssuerOptions.AcceptWlcgAnyAudience"/>.
    /// </summary>
    /// <param name="options">The settings.</param>
    /// <returns>A thread-safe predicate of the issuer URL, for <see cref="HasAudience"/>.</returns>
    public static Func<string, bool> IssuerSupportsAudience(FlaatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var unsupported = new HashSet<string>(StringComparer.Ordinal);
        var anyAudience = new HashSet<string>(StringComparer.Ordinal);
        foreach (var issuer in options.Issuers)
        {
            if (issuer is { SupportsAudience: false, Issuer: { } url })
            {
                unsupported.Add(url.TrimEnd('/'));
            }

            if (issuer is { AcceptWlcgAnyAudience: true, Issuer: { } any })
            {
                anyAudience.Add(any.TrimEnd('/'));
            }
        }

        return unsupported.Count == 0 && anyAudience.Count == 0
            ? EveryIssuerSupportsAudience
            : new IssuerAudiences(unsupported, anyAudience).Supports;
    }

    /// <summary>One leaf per value, combined as <paramref name="match"/> says.</summary>
    internal static Requirement Combine(IEnumerable<string> required, Match match, Func<string, Requirement> leaf)
    {
        ArgumentNullException.ThrowIfNull(required);
        var values = required as string[] ?? required.ToArray();
        if (values.Length == 0)
        {
            throw new ArgumentException("At least one required value is needed.", nameof(required));
        }

        var children = new Requirement[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            children[i] = leaf(values[i] ?? throw new ArgumentException("A required value is null.", nameof(required)));
        }

        if (match.Minimum is not { } minimum)
        {
            return children.Length == 1 ? children[0] : new AllOf(children);
        }

        if (minimum > values.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The match asks for at least {minimum} values but only {values.Length} are given."),
                nameof(match));
        }

        // One value needs no wrapper (flaat adds one): the same verdict with a plainer message.
        return children.Length == 1 ? children[0] : minimum == 1 ? new OneOf(children) : new NOf(minimum, children);
    }
}
