using System.Text.Json;
using Flaat.Errors;

namespace Flaat.Tokens;

/// <summary>
/// What one issuer's JWT must be to count as an access token for this API: meant for this API's
/// audience (checked whenever audiences are configured, whether or not the OP is asked), and, when
/// its claims alone decide (offline mode), an access token rather than an ID token or another JWT
/// the OP signs.
/// </summary>
internal sealed class AccessTokenPolicy
{
    /// <summary>No audience check, RFC 9068 types only.</summary>
    public static readonly AccessTokenPolicy Default = new([], []);

    // nonce, at_hash, c_hash and s_hash only mean something in an ID token (OpenID Connect Core
    // 2, 3.1.3.6, 3.3.2.11; FAPI's s_hash): an access token has no use for them, so a token with one
    // is an ID token whatever its typ says (an OP whose access tokens say typ JWT cannot be told
    // apart by typ alone).
    private static readonly string[] IdTokenClaims = ["nonce", "at_hash", "c_hash", "s_hash"];
    private static readonly string[] Rfc9068Types = ["application/at+jwt"];

    private readonly string[] _types;
    private readonly string[] _audiences;
    private readonly bool _acceptWlcgAnyAudience;

    public AccessTokenPolicy(IEnumerable<string> types, IEnumerable<string> audiences, bool acceptWlcgAnyAudience = false)
    {
        _acceptWlcgAnyAudience = acceptWlcgAnyAudience;
        var normalized = types.Select(NormalizeType).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        _types = normalized.Length == 0 ? Rfc9068Types : normalized;
        _audiences = audiences.Where(a => !string.IsNullOrWhiteSpace(a)).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The audiences a JWT must name one of; empty when they are not checked.</summary>
    public IReadOnlyList<string> Audiences => _audiences;

    /// <summary>The JOSE <c>typ</c> values accepted in offline mode, as media types.</summary>
    public IReadOnlyList<string> Types => _types;

    /// <summary>
    /// The policy of one issuer: its own audiences, else the global ones (none when the issuer does
    /// not support audiences); its own access token types, else RFC 9068's.
    /// </summary>
    public static AccessTokenPolicy For(FlaatOptions options, IssuerOptions? own)
    {
        IEnumerable<string> audiences = own switch
        {
            { SupportsAudience: false } => [],
            { Audiences.Count: > 0 } => own.Audiences,
            _ => options.Audiences ?? [],
        };
        IEnumerable<string> types = own?.AccessTokenTypes ?? [];
        return new AccessTokenPolicy(types, audiences, own?.AcceptWlcgAnyAudience ?? false);
    }

    /// <summary>
    /// Why a JWT is refused when its <c>aud</c> names none of the configured audiences (when some are);
    /// <see langword="null"/> when it is for this API.
    /// </summary>
    public string? AudienceProblem(DecodedJwt jwt)
    {
        if (_audiences.Length == 0)
        {
            return null;
        }

        if (jwt.Body.TryGetProperty("aud", out var aud))
        {
            if (aud.ValueKind == JsonValueKind.String && IsOurs(aud.GetString()))
            {
                return null;
            }

            if (aud.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in aud.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String && IsOurs(item.GetString()))
                    {
                        return null;
                    }
                }
            }

            // The WLCG "any" audience: only for an issuer that opted in, and only in a token that
            // follows the profile (a known wlcg.ver of the token itself).
            if (_acceptWlcgAnyAudience && Requirements.HasAudience.NamesAnyAudience(aud) && KnownWlcgVersion(jwt))
            {
                return null;
            }
        }

        return "Token is not for this API's audience";
    }

    /// <summary>
    /// Why a JWT is refused in offline mode when it does not declare itself an access token (RFC 9068
    /// <c>typ</c>, or one configured for the issuer) or carries ID token claims; <see langword="null"/>
    /// when it is an access token.
    /// </summary>
    public string? AccessTokenProblem(DecodedJwt jwt)
    {
        if (!jwt.Header.TryGetProperty("typ", out var typ) || typ.ValueKind != JsonValueKind.String)
        {
            return $"Token has no typ; only {Expected()} is accepted as an access token when its claims suffice";
        }

        var value = typ.GetString()!;
        if (!JwtType.IsValid(value) || !_types.Contains(NormalizeType(value), StringComparer.OrdinalIgnoreCase))
        {
            return $"Token type '{ErrorText.Shorten(value)}' is not accepted as an access token; expected {Expected()}";
        }

        foreach (var claim in IdTokenClaims)
        {
            if (jwt.Body.TryGetProperty(claim, out _))
            {
                return $"Token is an ID token (it has {claim}), not an access token";
            }
        }

        // RFC 9068 section 2.2: exp is required. Without it a token that speaks for itself would never expire.
        if (jwt.ExpiresAt is null)
        {
            return "Token has no exp; an access token whose claims suffice must expire";
        }

        return null;
    }

    /// <summary>A media type with <c>application/</c> added when it has no type part (RFC 7515 4.1.9).</summary>
    private static string NormalizeType(string type) =>
        type.Contains('/', StringComparison.Ordinal) ? type : "application/" + type;

    private bool IsOurs(string? audience) => audience is not null && _audiences.Contains(audience, StringComparer.Ordinal);

    private static bool KnownWlcgVersion(DecodedJwt jwt) =>
        jwt.Body.TryGetProperty(Requirements.Wlcg.VersionClaim, out var ver)
        && ver.ValueKind == JsonValueKind.String && (ver.ValueEquals("1.0") || ver.ValueEquals("1.1"));

    private string Expected() => string.Join(" or ", _types);
}
