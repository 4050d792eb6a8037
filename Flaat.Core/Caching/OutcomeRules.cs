namespace Flaat.Caching;

/// <summary>
/// What an engine requires of a <see cref="TokenOutcome"/> read from outside before serving it: the
/// issuer must be one it trusts, the claims must still be within their <c>exp</c> (with its clock
/// skew), and nothing is served beyond its own lifetimes for a success or a rejection.
/// </summary>
internal sealed class OutcomeRules(Func<string, bool> trusts, TimeSpan clockSkew, TimeSpan maxLifetime, TimeSpan rejectionLifetime)
{
    /// <summary>Whether the engine trusts this issuer.</summary>
    public Func<string, bool> Trusts { get; } = trusts;

    /// <summary>The tolerance on the claims' <c>exp</c>.</summary>
    public TimeSpan ClockSkew { get; } = clockSkew;

    /// <summary>The longest a success is served from now (<see cref="FlaatCacheOptions.MaxUserInfosLifetime"/>).</summary>
    public TimeSpan MaxLifetime { get; } = maxLifetime;

    /// <summary>The longest a rejection is served from now (<see cref="FlaatCacheOptions.RejectionLifetime"/>).</summary>
    public TimeSpan RejectionLifetime { get; } = rejectionLifetime;
}
