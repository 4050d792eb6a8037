namespace Flaat.Requirements;

/// <summary>
/// Something a user must satisfy to use an endpoint. Requirements are pure functions of
/// <see cref="UserInfos"/>: they make no network calls and are safe to share between threads.
/// </summary>
public abstract class Requirement
{
    /// <summary>Checks the user against this requirement.</summary>
    /// <param name="userInfos">What is known about the user.</param>
    /// <returns>Whether the user satisfies it, and why (not).</returns>
    public abstract CheckResult IsSatisfiedBy(UserInfos userInfos);
}
