using System.Globalization;
using System.Security.Claims;
using System.Text.Json;

namespace Flaat.AspNetCore;

/// <summary>
/// Builds a <see cref="ClaimsPrincipal"/> from <see cref="UserInfos"/>: every claim keeps the name
/// the OP sent (no mapping to long URIs); a claim present in several sources is taken from the
/// first in flaat's order (userinfo, introspection, JWT body); list claims become one claim per element.
/// </summary>
internal static class UserInfosPrincipal
{
    /// <summary>The value type of claims that hold a JSON object.</summary>
    public const string JsonValueType = "JSON";

    public static ClaimsPrincipal Create(UserInfos? userInfos, string authenticationType, FlaatAuthenticationOptions options)
    {
        var identity = new ClaimsIdentity(authenticationType, options.NameClaimType, options.RoleClaimType);
        if (userInfos is not null)
        {
            var issuer = string.IsNullOrEmpty(userInfos.Issuer) ? ClaimsIdentity.DefaultIssuer : userInfos.Issuer;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            AddClaims(identity, userInfos.UserInfo, seen, issuer);
            if (userInfos.IntrospectionInfo is { } introspection)
            {
                AddClaims(identity, introspection, seen, issuer);
            }

            if (userInfos.AccessTokenInfo is { } token)
            {
                AddClaims(identity, token.Body, seen, issuer);
            }
        }

        return new ClaimsPrincipal(identity);
    }

    private static void AddClaims(ClaimsIdentity identity, IReadOnlyDictionary<string, JsonElement> claims, HashSet<string> seen, string issuer)
    {
        foreach (var (name, value) in claims)
        {
            if (!seen.Add(name))
            {
                continue;
            }

            if (value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in value.EnumerateArray())
                {
                    AddClaim(identity, name, item, issuer);
                }
            }
            else
            {
                AddClaim(identity, name, value, issuer);
            }
        }
    }

    private static void AddClaim(ClaimsIdentity identity, string name, JsonElement value, string issuer)
    {
        var (text, type) = value.ValueKind switch
        {
            JsonValueKind.String => (value.GetString()!, ClaimValueTypes.String),
            JsonValueKind.True => ("true", ClaimValueTypes.Boolean),
            JsonValueKind.False => ("false", ClaimValueTypes.Boolean),
            JsonValueKind.Number when value.TryGetInt64(out var integer) => (integer.ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
            JsonValueKind.Number => (value.GetRawText(), ClaimValueTypes.Double),
            JsonValueKind.Object or JsonValueKind.Array => (value.GetRawText(), JsonValueType),
            _ => (null, null),
        };
        if (text is not null)
        {
            identity.AddClaim(new Claim(name, text, type, issuer));
        }
    }
}
