using System.Text.Json;
using Flaat.Errors;

namespace Flaat.Requirements;

/// <summary>
/// The profile versions a token claims, and its capability scopes. A claimed version Flaat does not
/// know refuses the token for every profile requirement (it may mean something else); a profile
/// whose version claim is missing is not honoured (both profiles require it).
/// </summary>
internal static class TokenProfiles
{
    /// <summary>The <c>wlcg.ver</c> values of the WLCG Common JWT Profile Flaat knows: "1.0" and "1.1" ("Common claims").</summary>
    public const string WlcgVersions = "'1.0' or '1.1'";

    /// <summary>SciTokens 2.0's value of <c>ver</c> (SciTokens "Claims and scopes", version 2.0).</summary>
    public const string SciTokensVersion = "scitoken:2.0";

    /// <summary>
    /// Which profiles the token follows. <see langword="false"/> with a message when it claims an
    /// unknown version of either.
    /// </summary>
    public static bool TryRead(UserInfos user, out bool wlcg, out bool sciTokens, out string problem)
    {
        wlcg = sciTokens = false;
        problem = string.Empty;
        if (user.TryGetTokenClaim(Wlcg.VersionClaim, out var wlcgVer) && wlcgVer.ValueKind != JsonValueKind.Null)
        {
            if (wlcgVer.ValueKind != JsonValueKind.String || !(wlcgVer.ValueEquals("1.0") || wlcgVer.ValueEquals("1.1")))
            {
                problem = $"Token claims WLCG profile version {Quote(wlcgVer)}, which Flaat does not know (known: {WlcgVersions})";
                return false;
            }

            wlcg = true;
        }

        // Only a ver that speaks of SciTokens is SciTokens' (other token formats have a ver of their own).
        if (user.TryGetTokenClaim("ver", out var ver) && ver.ValueKind == JsonValueKind.String
            && ver.GetString() is { } text && text.StartsWith("scitoken", StringComparison.OrdinalIgnoreCase))
        {
            if (!string.Equals(text, SciTokensVersion, StringComparison.Ordinal))
            {
                problem = $"Token claims SciTokens version '{ErrorText.Shorten(text)}', which Flaat does not know (known: '{SciTokensVersion}')";
                return false;
            }

            sciTokens = true;
        }

        return true;
    }

    /// <summary>Whether the token itself claims a WLCG profile version Flaat knows.</summary>
    public static bool ClaimsKnownWlcgVersion(UserInfos user) => TryRead(user, out var wlcg, out _, out _) && wlcg;

    /// <summary>
    /// The capability scopes of the profiles the token follows. <see langword="false"/> with a message
    /// when one of them is malformed (WLCG: such a token MUST be rejected; SciTokens: fail closed).
    /// </summary>
    public static bool TryGetCapabilities(UserInfos user, bool wlcg, bool sciTokens, List<CapabilityScope> capabilities, out string problem)
    {
        problem = string.Empty;
        if (!user.TryGetTokenClaim(HasScope.ScopeClaim, out var scope))
        {
            return true;
        }

        if (scope.ValueKind == JsonValueKind.String)
        {
            return AddWords(scope.GetString()!, wlcg, sciTokens, capabilities, ref problem);
        }

        if (scope.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in scope.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && !AddWords(item.GetString()!, wlcg, sciTokens, capabilities, ref problem))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool AddWords(string words, bool wlcg, bool sciTokens, List<CapabilityScope> capabilities, ref string problem)
    {
        foreach (var word in words.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parsed = CapabilityScope.TryParse(word, out var capability, out var why);
            var honoured = capability.Family == CapabilityFamily.Wlcg ? wlcg : sciTokens;
            if (!parsed && why.Length > 0)
            {
                // A malformed scope counts only in a profile the token follows; a WLCG-looking scope
                // is judged by WLCG's rule, a SciTokens-looking one by SciTokens'.
                var family = word.StartsWith("storage.", StringComparison.Ordinal) || word.StartsWith("compute.", StringComparison.Ordinal) ? wlcg : sciTokens;
                if (family)
                {
                    problem = "Token has a malformed capability scope: " + ErrorText.Shorten(why);
                    return false;
                }
            }
            else if (parsed && honoured)
            {
                capabilities.Add(capability);
            }
        }

        return true;
    }

    /// <summary>Explains why no capability counted, when the token follows no profile.</summary>
    public static string NoProfile(bool wlcg, bool sciTokens) => wlcg || sciTokens
        ? string.Empty
        : $" (capability scopes count only in a token that claims {Wlcg.VersionClaim} {WlcgVersions} or ver '{SciTokensVersion}')";

    private static string Quote(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? $"'{ErrorText.Shorten(value.GetString()!)}'" : ErrorText.Shorten(value.GetRawText());
}
