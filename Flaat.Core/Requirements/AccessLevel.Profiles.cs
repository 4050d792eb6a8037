namespace Flaat.Requirements;

/// <content>The configuration kinds of the research profiles' requirements.</content>
public sealed partial class AccessLevel
{
    private const string ProfileKinds = "'capability', 'wlcg-group', 'assurance' or 'acr'";

    /// <summary>
    /// Whether a configuration kind is a research profile's: <c>capability</c> (each value a WLCG
    /// capability as <see cref="Wlcg.Capability(string)"/> reads it, e.g.
    /// <c>storage.read:/data/{**path}</c>; all by default), <c>wlcg-group</c>
    /// (<see cref="Wlcg.Group(string)"/>; all by default), <c>assurance</c>
    /// (<see cref="Refeds.Assurance(string)"/>; all by default) or <c>acr</c>
    /// (<see cref="Refeds.Acr"/>; one by default). None takes a <c>Claim</c>.
    /// </summary>
    private static bool IsProfileKind(string? kind) => kind is "capability" or "wlcg-group" or "assurance" or "acr";

    private static Match DefaultMatch(string kind) => kind == "acr" ? Match.One : Match.All;

    private static Requirement CreateProfileKind(string kind, IList<string> values, Match match) => kind switch
    {
        "capability" => Require.Combine(values, match, Wlcg.Capability),
        "wlcg-group" => Wlcg.Group(values, match),
        "assurance" => Refeds.Assurance(values, match),
        _ => Require.Combine(values, match, value => Require.Claim(value, "acr")),
    };
}
