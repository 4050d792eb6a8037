using System.Globalization;
using Flaat.Errors;

namespace Flaat.Requirements;

/// <summary>
/// May the token do a storage operation on the request's path: a WLCG <c>storage.*</c> or SciTokens
/// <c>read</c>/<c>write</c> capability that grants the operation (<see cref="CapabilityScope.Grants"/>)
/// for a path that covers it (<see cref="StoragePath.Covers"/>), in a token that claims a known
/// version of that profile.
/// </summary>
internal sealed class HasStorageCapability(StorageOperation operation, StoragePathSource path) : RequestDependentRequirement
{
    private readonly string _verb = operation.ToString().ToLowerInvariant();

    public StorageOperation Operation => operation;

    public override CheckResult IsSatisfiedBy(UserInfos userInfos, RequirementContext context)
    {
        ArgumentNullException.ThrowIfNull(userInfos);
        if (!path.TryResolve(context, out var raw, out var problem))
        {
            return new CheckResult(false, problem);
        }

        if (!StoragePath.TryNormalizeRequest(raw.StartsWith('/') ? raw : "/" + raw, out var requested, out problem))
        {
            return new CheckResult(false, $"The requested storage path '{ErrorText.Shorten(raw)}' is refused: {problem}");
        }

        if (!TokenProfiles.TryRead(userInfos, out var wlcg, out var sciTokens, out problem))
        {
            return new CheckResult(false, problem);
        }

        var capabilities = new List<CapabilityScope>();
        if (!TokenProfiles.TryGetCapabilities(userInfos, wlcg, sciTokens, capabilities, out problem))
        {
            return new CheckResult(false, problem);
        }

        foreach (var capability in capabilities)
        {
            if (capability.Grants(operation) && StoragePath.Covers(capability.Path!, requested, capability.IsDirectory))
            {
                return new CheckResult(true, $"Capability '{capability.Name}:{capability.Path}{(capability.IsDirectory ? "/" : string.Empty)}' allows {_verb} of '{ErrorText.Shorten(requested)}'");
            }
        }

        return new CheckResult(
            false,
            string.Create(CultureInfo.InvariantCulture, $"Token grants no capability to {_verb} '{ErrorText.Shorten(requested)}'{TokenProfiles.NoProfile(wlcg, sciTokens)}"));
    }

    public override string ToString() => $"Storage({_verb}: {path})";
}

/// <summary>A WLCG <c>compute.*</c> capability (no path), in a token that claims <c>wlcg.ver</c> 1.0.</summary>
internal sealed class HasComputeCapability(ComputeOperation operation) : Requirement
{
    private readonly string _scope = "compute." + operation.ToString().ToLowerInvariant();

    public override CheckResult IsSatisfiedBy(UserInfos userInfos)
    {
        ArgumentNullException.ThrowIfNull(userInfos);
        var capabilities = new List<CapabilityScope>();
        if (!TokenProfiles.TryRead(userInfos, out var wlcg, out _, out var problem)
            || !TokenProfiles.TryGetCapabilities(userInfos, wlcg, sciTokens: false, capabilities, out problem))
        {
            return new CheckResult(false, problem);
        }

        return capabilities.Exists(c => c.Name == _scope)
            ? new CheckResult(true, $"Capability '{_scope}' is granted")
            : new CheckResult(false, $"Token grants no capability '{_scope}'{TokenProfiles.NoProfile(wlcg, sciTokens: false)}");
    }

    public override string ToString() => $"Compute({_scope})";
}
