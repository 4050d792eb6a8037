namespace Flaat.Requirements;

/// <summary>The storage operations of the WLCG Common JWT Profile's capability scopes.</summary>
public enum StorageOperation
{
    /// <summary>
    /// Read data (<c>storage.read</c>). Granted by <c>storage.read</c>, by <c>storage.stage</c> (WLCG
    /// profile, "Capability-based authorization": stage is a superset of read) and by SciTokens <c>read</c>.
    /// </summary>
    Read,

    /// <summary>
    /// Upload new data, never overwrite or delete (<c>storage.create</c>). Granted by
    /// <c>storage.create</c>, by <c>storage.modify</c> (WLCG profile: modify is a strict superset of
    /// create) and by SciTokens <c>write</c>.
    /// </summary>
    Create,

    /// <summary>
    /// Change data: write, overwrite, rename, truncate, delete (<c>storage.modify</c>). Granted by
    /// <c>storage.modify</c> and by SciTokens <c>write</c> (SciTokens 2.0 scopes: write is upload,
    /// modify and delete).
    /// </summary>
    Modify,

    /// <summary>
    /// Read data, possibly staging it from a nearline (tape) resource (<c>storage.stage</c>). Granted
    /// by <c>storage.stage</c> only: <c>storage.read</c> covers online data only (WLCG profile), and
    /// SciTokens has no stage scope.
    /// </summary>
    Stage,
}

/// <summary>The compute operations of the WLCG Common JWT Profile (scopes without a path).</summary>
public enum ComputeOperation
{
    /// <summary>Query jobs (<c>compute.read</c>).</summary>
    Read,

    /// <summary>Change jobs, e.g. hold or release (<c>compute.modify</c>).</summary>
    Modify,

    /// <summary>Submit jobs (<c>compute.create</c>).</summary>
    Create,

    /// <summary>Cancel jobs (<c>compute.cancel</c>).</summary>
    Cancel,
}

/// <summary>
/// One capability scope of a token, parsed: WLCG <c>storage.*:PATH</c> and <c>compute.*</c>,
/// SciTokens <c>read[:PATH]</c> and <c>write[:PATH]</c>. Other scopes are not capabilities.
/// </summary>
internal readonly record struct CapabilityScope(CapabilityFamily Family, string Name, string? Path, bool IsDirectory = false)
{
    /// <summary>
    /// Parses one scope. <see langword="false"/> with an empty <paramref name="problem"/> for a scope
    /// that is no capability (ignored); with a problem for a malformed capability, which makes the
    /// token unusable for capabilities (fail closed).
    /// </summary>
    public static bool TryParse(string scope, out CapabilityScope capability, out string problem)
    {
        capability = default;
        problem = string.Empty;
        var colon = scope.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? scope : scope[..colon];
        var path = colon < 0 ? null : scope[(colon + 1)..];
        switch (name)
        {
            case "storage.read" or "storage.create" or "storage.modify" or "storage.stage":
                // WLCG profile, "Capability-based authorization": the path MUST be given for storage.*
                // (use "/" for everything); a token without it MUST be rejected.
                if (string.IsNullOrEmpty(path))
                {
                    problem = $"WLCG scope '{name}' has no path (the profile requires one, '/' for all)";
                    return false;
                }

                return TryPath(CapabilityFamily.Wlcg, name, path, out capability, out problem);
            case "compute.read" or "compute.modify" or "compute.create" or "compute.cancel":
                // The profile defines compute.* without a path; one given is not understood: fail closed.
                if (path is not null)
                {
                    problem = $"WLCG scope '{name}' has a path, which the profile does not define";
                    return false;
                }

                capability = new(CapabilityFamily.Wlcg, name, null);
                return true;
            case "read" or "write":
                // SciTokens 2.0 scopes: without a path, the whole namespace ("/").
                return TryPath(CapabilityFamily.SciTokens, name, path ?? "/", out capability, out problem);
            default:
                return false;
        }
    }

    private static bool TryPath(CapabilityFamily family, string name, string path, out CapabilityScope capability, out string problem)
    {
        capability = default;
        if (!path.StartsWith('/'))
        {
            problem = $"scope '{name}' has a path that does not start with '/'";
            return false;
        }

        if (!StoragePath.TryNormalizeScope(path, out var normalized, out var isDirectory, out var why))
        {
            problem = $"scope '{name}' has an invalid path: {why}";
            return false;
        }

        capability = new(family, name, normalized, isDirectory);
        problem = string.Empty;
        return true;
    }

    /// <summary>Whether this capability grants a storage operation (path not checked), per the profiles' implications.</summary>
    public bool Grants(StorageOperation operation) => (Family, Name, operation) switch
    {
        (CapabilityFamily.Wlcg, "storage.read", StorageOperation.Read) => true,
        (CapabilityFamily.Wlcg, "storage.stage", StorageOperation.Read or StorageOperation.Stage) => true,
        (CapabilityFamily.Wlcg, "storage.create", StorageOperation.Create) => true,
        (CapabilityFamily.Wlcg, "storage.modify", StorageOperation.Create or StorageOperation.Modify) => true,
        (CapabilityFamily.SciTokens, "read", StorageOperation.Read) => true,
        (CapabilityFamily.SciTokens, "write", StorageOperation.Create or StorageOperation.Modify) => true,
        _ => false,
    };
}

/// <summary>Which profile a capability scope belongs to (each is honoured only when the token claims a known version of it).</summary>
internal enum CapabilityFamily
{
    /// <summary>WLCG Common JWT Profile (<c>wlcg.ver</c>).</summary>
    Wlcg,

    /// <summary>SciTokens (<c>ver</c> <c>scitoken:2.0</c>).</summary>
    SciTokens,
}
