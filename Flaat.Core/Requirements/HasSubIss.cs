namespace Flaat.Requirements;

/// <summary>Satisfied when the user has a subject and an issuer (the <c>IDENTIFIED</c> access level).</summary>
public sealed class HasSubIss : Requirement
{
    private static readonly CheckResult NoUser = new(false, "No valid user_infos found");
    private static readonly CheckResult NoSubjectOrIssuer = new(false, "user_infos have no subject / issuer");

    /// <inheritdoc />
    public override CheckResult IsSatisfiedBy(UserInfos userInfos)
    {
        if (userInfos is null)
        {
            return NoUser;
        }

        return userInfos.Subject.Length > 0 && userInfos.Issuer.Length > 0
            ? new CheckResult(true, $"Valid user: {userInfos.Subject} @ {userInfos.Issuer}")
            : NoSubjectOrIssuer;
    }

    /// <summary>The requirement as text, for diagnostics.</summary>
    public override string ToString() => nameof(HasSubIss);
}
