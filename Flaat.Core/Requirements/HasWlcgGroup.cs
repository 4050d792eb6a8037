using System.Text.Json;

namespace Flaat.Requirements;

/// <summary>
/// Membership of a WLCG group: the token's <c>wlcg.groups</c> (a list of group paths, WLCG Common JWT
/// Profile, "Groups") holds the required group exactly, in a token that claims <c>wlcg.ver</c> 1.0.
/// </summary>
/// <remarks>
/// Group names are case-sensitive paths like <c>/cms/uscms</c>; a role is written as the profile's
/// issuers do, as a further segment (e.g. <c>/cms/uscms/Role=production</c>), and compared as text.
/// Flaat infers no membership from a sub-group (the profile lists every group a user is in, and is
/// silent on inference): fail closed.
/// </remarks>
internal sealed class HasWlcgGroup : Requirement
{
    private readonly string _group;
    private readonly CheckResult _matched;
    private readonly CheckResult _unmatched;
    private readonly CheckResult _noClaim;

    public HasWlcgGroup(string group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (!IsValid(group))
        {
            throw new ArgumentException($"A WLCG group is a path like '/vo/group' (no empty, '.' or '..' segment, no space), got '{group}'.", nameof(group));
        }

        _group = group;
        _matched = new CheckResult(true, $"Token's {Wlcg.GroupsClaim} has group '{group}'");
        _unmatched = new CheckResult(false, $"Token's {Wlcg.GroupsClaim} has no group '{group}'");
        _noClaim = new CheckResult(false, $"Token has no {Wlcg.GroupsClaim} claim with a {Wlcg.VersionClaim} {TokenProfiles.WlcgVersions}");
    }

    public override CheckResult IsSatisfiedBy(UserInfos userInfos)
    {
        ArgumentNullException.ThrowIfNull(userInfos);
        if (!TokenProfiles.TryRead(userInfos, out var wlcg, out _, out var problem))
        {
            return new CheckResult(false, problem);
        }

        if (!wlcg || !userInfos.TryGetTokenClaim(Wlcg.GroupsClaim, out var groups) || groups.ValueKind != JsonValueKind.Array)
        {
            return _noClaim;
        }

        foreach (var item in groups.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.ValueEquals(_group))
            {
                return _matched;
            }
        }

        return _unmatched;
    }

    public override string ToString() => $"WlcgGroup({_group})";

    private static bool IsValid(string group)
    {
        if (group.Length < 2 || group[0] != '/' || group.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return false;
        }

        return group[1..].Split('/').All(segment => segment.Length > 0 && segment != "." && segment != "..");
    }
}
