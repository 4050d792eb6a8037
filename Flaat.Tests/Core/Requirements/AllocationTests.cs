using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

/// <summary>An authorisation check runs on every request: the satisfied path must not allocate.</summary>
public sealed class AllocationTests
{
    private static long AllocatedBy(Requirement requirement, UserInfos user)
    {
        for (var i = 0; i < 100; i++)
        {
            requirement.IsSatisfiedBy(user);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            requirement.IsSatisfiedBy(user);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Test]
    public void SatisfiedPath_ClaimsScopesAudiencesAndMetaRequirements_AllocateNothing()
    {
        var user = Users.Alice("\"groups\":[\"users\",\"admins\"],\"email_verified\":true,\"age\":42,\"scope\":\"openid storage.read\",\"aud\":[\"x\",\"api\"]");
        var requirement =
            (Require.Claim(["users", "admins"], "groups") & new HasClaim("true", "email_verified") & new HasClaim("42", "age"))
            & (new HasScope("storage.read") | new Unsatisfiable())
            & new NOf(2, new HasAudience("api"), new Satisfied(), new Unsatisfiable())
            & AccessLevel.Anyone.Requirement;

        Assert.That(requirement.IsSatisfiedBy(user).IsSatisfied, Is.True);
        Assert.That(AllocatedBy(requirement, user), Is.Zero);
    }

    [Test]
    public void UnsatisfiedLeaf_AllocatesNothing()
    {
        var user = Users.Alice("\"groups\":[\"users\"]");
        var requirement = new HasClaim("admins", "groups");

        Assert.That(AllocatedBy(requirement, user), Is.Zero);
    }

    [Test]
    public void OneOf_EarlierChildrenFailLaterOnePasses_AllocatesNothing()
    {
        var user = Users.Alice("\"groups\":[\"users\"]");
        var requirement = Require.Claim(["admins", "ops", "users"], "groups", Match.One);

        Assert.That(requirement.IsSatisfiedBy(user).IsSatisfied, Is.True);
        Assert.That(AllocatedBy(requirement, user), Is.Zero);
    }
}
