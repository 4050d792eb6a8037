namespace Flaat.Requirements;

/// <summary>
/// Requirements of the WLCG Common JWT Profile (v1.0) and SciTokens (2.0): capability scopes on
/// storage paths, compute capabilities, and <c>wlcg.groups</c>. Each checks the profile version the
/// token claims (<c>wlcg.ver</c> <c>1.0</c>, SciTokens <c>ver</c> <c>scitoken:2.0</c>): a token
/// claiming a version Flaat does not know is refused with a message that says so, and a profile's
/// scopes count only in a token that claims it.
/// </summary>
/// <remarks>
/// Audience checks (<see cref="HasAudience"/>, the engine's <c>Flaat:Audiences</c>) accept the
/// profile's <see cref="AnyAudience"/> as every audience.
/// </remarks>
public static class Wlcg
{
    /// <summary>
    /// The audience that means "any audience" (WLCG Common JWT Profile, "Common claims", <c>aud</c>):
    /// a token with it is accepted wherever an audience is required.
    /// </summary>
    public const string AnyAudience = "https://wlcg.cern.ch/jwt/v1/any";

    /// <summary>The claim with the profile's version, <c>wlcg.ver</c>.</summary>
    public const string VersionClaim = "wlcg.ver";

    /// <summary>The claim with the user's groups, <c>wlcg.groups</c>.</summary>
    public const string GroupsClaim = "wlcg.groups";

    /// <summary>
    /// May the token do <paramref name="operation"/> on the path the request names:
    /// <paramref name="pathTemplate"/> filled with the request's route values, e.g.
    /// <c>/data/{**path}</c> on a route <c>/files/{**path}</c>. Route values are already decoded, so
    /// the request's path is never decoded again (<c>%</c> is an ordinary character); <c>.</c> and
    /// <c>//</c> collapse, and it is compared with each capability's (decoded) path by whole
    /// segments. A path with a <c>..</c> segment, a backslash, a control character or <c>%2F</c>,
    /// <c>%5C</c>, <c>%2E</c>, <c>%25</c> (any case) is refused. A capability path ending with
    /// <c>/</c> is a directory: it covers only paths below it. Implications: see <see cref="StorageOperation"/>.
    /// </summary>
    /// <param name="operation">The operation.</param>
    /// <param name="pathTemplate">The storage path, starting with <c>/</c>, with route parameters in braces.</param>
    /// <returns>The requirement; it needs the request (without one it is not satisfied).</returns>
    /// <exception cref="ArgumentException">The template is empty, does not start with <c>/</c>, or has unbalanced braces.</exception>
    public static Requirement Storage(StorageOperation operation, string pathTemplate) =>
        new HasStorageCapability(CheckOperation(operation), new StoragePathSource.Template(pathTemplate));

    /// <summary>
    /// May the token do <paramref name="operation"/> on the path computed from the request (an
    /// <c>HttpContext</c>, a gRPC <c>ServerCallContext</c>, ...); see <see cref="Storage(StorageOperation, string)"/>.
    /// </summary>
    /// <typeparam name="TRequest">The adapter's request type; another request is refused.</typeparam>
    /// <param name="operation">The operation.</param>
    /// <param name="path">
    /// The path the request asks for, exactly as the application will use it: already decoded (it is
    /// never decoded again; a still-encoded path is checked literally); <see langword="null"/> refuses the request.
    /// </param>
    /// <returns>The requirement.</returns>
    public static Requirement Storage<TRequest>(StorageOperation operation, Func<TRequest, string?> path)
        where TRequest : class
    {
        ArgumentNullException.ThrowIfNull(path);
        return new HasStorageCapability(CheckOperation(operation), new StoragePathSource.Function<TRequest>(path));
    }

    /// <summary>A WLCG compute capability (<c>compute.read</c>, <c>.modify</c>, <c>.create</c>, <c>.cancel</c>; no implications between them).</summary>
    /// <param name="operation">The operation.</param>
    /// <returns>The requirement.</returns>
    public static Requirement Compute(ComputeOperation operation) =>
        Enum.IsDefined(operation) ? new HasComputeCapability(operation) : throw new ArgumentOutOfRangeException(nameof(operation), operation, "Not a compute operation.");

    /// <summary>Membership of a group in <c>wlcg.groups</c>, e.g. <c>/cms/uscms</c>; compared exactly (no inference from sub-groups).</summary>
    /// <param name="group">The group path.</param>
    /// <returns>The requirement.</returns>
    /// <exception cref="ArgumentException">The group is not a path like <c>/vo/group</c>.</exception>
    public static Requirement Group(string group) => new HasWlcgGroup(group);

    /// <summary>Several groups in <c>wlcg.groups</c> (each as <see cref="Group(string)"/>), all by default.</summary>
    /// <param name="groups">The group paths, at least one.</param>
    /// <param name="match">How many of them the user must be in.</param>
    /// <returns>The requirement.</returns>
    /// <exception cref="ArgumentException">No group, an invalid group, or a match asking for more groups than given.</exception>
    public static Requirement Group(IEnumerable<string> groups, Match match = default) =>
        Require.Combine(groups, match, value => new HasWlcgGroup(value));

    /// <summary>
    /// A capability in the profile's own syntax, as configuration and attributes write it:
    /// <c>storage.read:/data/{**path}</c> (any <c>storage.*</c> with a path template) or
    /// <c>compute.create</c>.
    /// </summary>
    /// <param name="capability">The capability.</param>
    /// <returns>The requirement.</returns>
    /// <exception cref="ArgumentException">Not a WLCG capability.</exception>
    public static Requirement Capability(string capability)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(capability);
        var colon = capability.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? capability : capability[..colon];
        if (name.StartsWith("storage.", StringComparison.Ordinal) && colon > 0
            && Enum.TryParse<StorageOperation>(name["storage.".Length..], ignoreCase: true, out var storage)
            && name["storage.".Length..].All(char.IsAsciiLetterLower))
        {
            return Storage(storage, capability[(colon + 1)..]);
        }

        if (name.StartsWith("compute.", StringComparison.Ordinal) && colon < 0
            && Enum.TryParse<ComputeOperation>(name["compute.".Length..], ignoreCase: true, out var compute)
            && name["compute.".Length..].All(char.IsAsciiLetterLower))
        {
            return Compute(compute);
        }

        throw new ArgumentException(
            $"A WLCG capability is storage.read|create|modify|stage:/path (route parameters in braces) or compute.read|modify|create|cancel, got '{capability}'.",
            nameof(capability));
    }

    private static StorageOperation CheckOperation(StorageOperation operation) =>
        Enum.IsDefined(operation) ? operation : throw new ArgumentOutOfRangeException(nameof(operation), operation, "Not a storage operation.");
}
