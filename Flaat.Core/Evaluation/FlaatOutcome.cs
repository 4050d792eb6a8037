namespace Flaat.Evaluation;

/// <summary>The verdict on a request: allowed (with the user, if any) or failed (with the error).</summary>
public sealed class FlaatOutcome
{
    private static readonly FlaatOutcome AnonymousAllowed = new(true, null, null, false);
    private static readonly FlaatOutcome OverrideAllowed = new(true, null, null, true);

    private FlaatOutcome(bool isAllowed, UserInfos? userInfos, FlaatError? error, bool checksDisabled)
    {
        IsAllowed = isAllowed;
        UserInfos = userInfos;
        Error = error;
        ChecksDisabled = checksDisabled;
    }

    /// <summary>Whether the request may proceed.</summary>
    public bool IsAllowed { get; }

    /// <summary>The user, when one was authenticated (also on a 403, for on-failure hooks).</summary>
    public UserInfos? UserInfos { get; }

    /// <summary>Why the request was refused; <see langword="null"/> when allowed.</summary>
    public FlaatError? Error { get; }

    /// <summary>Whether authentication was skipped by the environment override.</summary>
    public bool ChecksDisabled { get; }

    /// <summary>An allowed request with an authenticated user.</summary>
    /// <param name="userInfos">The user.</param>
    public static FlaatOutcome Allowed(UserInfos userInfos)
    {
        ArgumentNullException.ThrowIfNull(userInfos);
        return new(true, userInfos, null, false);
    }

    /// <summary>An allowed request without a user (optional authentication).</summary>
    public static FlaatOutcome AllowedAnonymous() => AnonymousAllowed;

    /// <summary>A refused request.</summary>
    /// <param name="error">Why.</param>
    /// <param name="userInfos">The user known at that point, if any.</param>
    public static FlaatOutcome Failed(FlaatError error, UserInfos? userInfos = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(false, userInfos, error, false);
    }

    internal static FlaatOutcome AllowedByOverride() => OverrideAllowed;
}
