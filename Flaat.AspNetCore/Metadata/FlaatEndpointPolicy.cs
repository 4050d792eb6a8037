using Flaat.Evaluation;

namespace Flaat.AspNetCore;

/// <summary>An endpoint's Flaat policy, resolved once from its metadata.</summary>
public sealed class FlaatEndpointPolicy
{
    internal FlaatEndpointPolicy(bool isProtected, FlaatPolicy policy, FlaatFailureHandler? onFailure, bool usesAuthentication)
    {
        IsProtected = isProtected;
        Policy = policy;
        OnFailure = onFailure;
        UsesAuthentication = usesAuthentication;
    }

    /// <summary>Whether Flaat judges requests to the endpoint; when <see langword="false"/>, adapters let them through untouched.</summary>
    public bool IsProtected { get; }

    /// <summary>What the endpoint demands, for <see cref="FlaatEvaluator.EvaluateAsync"/>.</summary>
    public FlaatPolicy Policy { get; }

    /// <summary>The on-failure hook: the endpoint's own, else the application's, else <see langword="null"/>.</summary>
    public FlaatFailureHandler? OnFailure { get; }

    /// <summary>
    /// Whether anything on the endpoint may want the user (Flaat or authorization metadata, or an
    /// authorization fallback policy); the authentication scheme leaves the token alone otherwise.
    /// </summary>
    internal bool UsesAuthentication { get; }
}
