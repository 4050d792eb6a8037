namespace Flaat.Diagnostics;

/// <summary>
/// Reads the state of each trusted issuer as Flaat's engine sees it: when its configuration and keys
/// were loaded, its last failure, and its circuit. The seam for health checks and dashboards; reading
/// it sends nothing to any OP and is thread-safe. Implemented by <c>FlaatAuthenticator</c> and
/// registered in DI by <c>AddFlaat</c>.
/// </summary>
public interface IFlaatIssuerMonitor
{
    /// <summary>A snapshot of every trusted issuer, in configured order.</summary>
    /// <returns>One state per issuer; empty when the authenticator keeps no issuers of its own.</returns>
    IReadOnlyList<FlaatIssuerState> GetIssuers();
}

/// <summary>The state of one trusted issuer at <see cref="ObservedAt"/>.</summary>
public sealed record FlaatIssuerState
{
    /// <summary>The issuer URL, as compared with tokens' <c>iss</c> (no trailing slash).</summary>
    public required string Issuer { get; init; }

    /// <summary>When this snapshot was taken, on the engine's clock.</summary>
    public required DateTimeOffset ObservedAt { get; init; }

    /// <summary>When the discovery document in use was loaded; <see langword="null"/> when none is (not yet asked, or the last load failed with nothing to fall back on).</summary>
    public DateTimeOffset? ConfigurationLoadedAt { get; init; }

    /// <summary>When the signing keys in use were loaded; <see langword="null"/> when none are (not yet needed, or never loaded).</summary>
    public DateTimeOffset? KeysLoadedAt { get; init; }

    /// <summary>How many usable signing keys are loaded.</summary>
    public int KeyCount { get; init; }

    /// <summary>
    /// The last failure of this OP (configuration, keys, or an OP request that found it unavailable),
    /// kept after a later success: compare its <see cref="FlaatIssuerError.OccurredAt"/> with the
    /// load times. <see langword="null"/> when none occurred. A token's rejection is never one.
    /// </summary>
    public FlaatIssuerError? LastError { get; init; }

    /// <summary>The state of this issuer's circuit breaker (settings under <c>Flaat:Resilience</c>).</summary>
    public FlaatCircuitState Circuit { get; init; }

    /// <summary>How old the discovery document in use is, at <see cref="ObservedAt"/>.</summary>
    public TimeSpan? ConfigurationAge => ObservedAt - ConfigurationLoadedAt;

    /// <summary>How old the signing keys in use are, at <see cref="ObservedAt"/>.</summary>
    public TimeSpan? KeysAge => ObservedAt - KeysLoadedAt;
}

/// <summary>A failure of an issuer: what went wrong (never a token), and when.</summary>
/// <param name="StatusCode">503 when the OP could not be reached or answered unusably, 500 for a configuration fault.</param>
/// <param name="Description">What went wrong, as in Flaat's logs and error bodies.</param>
/// <param name="OccurredAt">When, on the engine's clock.</param>
public sealed record FlaatIssuerError(int StatusCode, string Description, DateTimeOffset OccurredAt);

/// <summary>The state of an issuer's circuit breaker.</summary>
public enum FlaatCircuitState
{
    /// <summary>Requests flow to the OP.</summary>
    Closed,

    /// <summary>The OP failed repeatedly: requests fail fast (503) until the break ends.</summary>
    Open,

    /// <summary>The break ended: the next request tries the OP and closes or reopens the circuit.</summary>
    HalfOpen,
}
