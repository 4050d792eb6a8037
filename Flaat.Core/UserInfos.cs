using System.Text;
using System.Text.Json;

namespace Flaat;

/// <summary>
/// Everything Flaat learned about the user behind an access token: the OP's userinfo answer, the
/// OP's introspection answer (when it was asked) and the JWT access token's own claims (when the
/// token is a JWT). A claim is looked up in that order, as in flaat.
/// </summary>
/// <remarks>
/// Instances are immutable, hold no clock or connection, and are safe to share between threads;
/// the engine caches them as plain data (see <see cref="Caching.TokenOutcome"/>).
/// </remarks>
public sealed class UserInfos
{
    /// <summary>Creates user infos.</summary>
    /// <param name="accessTokenInfo">The decoded JWT access token, or <see langword="null"/> for an opaque token.</param>
    /// <param name="userInfo">The userinfo answer, a JSON object (use an empty object when there is none).</param>
    /// <param name="introspectionInfo">The introspection answer, a JSON object, or <see langword="null"/> when the OP was not asked.</param>
    /// <exception cref="ArgumentException">An answer is not a JSON object.</exception>
    public UserInfos(AccessTokenInfo? accessTokenInfo, JsonElement userInfo, JsonElement? introspectionInfo = null)
        : this(
            accessTokenInfo,
            ClaimSet.From(userInfo, nameof(userInfo)),
            introspectionInfo is { } introspection ? ClaimSet.From(introspection, nameof(introspectionInfo)) : null)
    {
    }

    internal UserInfos(
        AccessTokenInfo? accessTokenInfo,
        IReadOnlyDictionary<string, JsonElement> userInfo,
        IReadOnlyDictionary<string, JsonElement>? introspectionInfo)
    {
        AccessTokenInfo = accessTokenInfo;
        UserInfo = userInfo;
        IntrospectionInfo = introspectionInfo;
        Issuer = GetString("iss") ?? string.Empty;
        Subject = GetString("sub") ?? string.Empty;
        ExpiresAt = ReadExpiry(introspectionInfo) ?? ReadExpiry(accessTokenInfo?.Body);
    }

    /// <summary>The decoded JWT access token; <see langword="null"/> for an opaque token.</summary>
    public AccessTokenInfo? AccessTokenInfo { get; }

    /// <summary>The claims from the OP's userinfo endpoint (empty when it was not asked).</summary>
    public IReadOnlyDictionary<string, JsonElement> UserInfo { get; }

    /// <summary>The OP's introspection answer; <see langword="null"/> when the OP was not asked.</summary>
    public IReadOnlyDictionary<string, JsonElement>? IntrospectionInfo { get; }

    /// <summary>The issuer (<c>iss</c> claim) of the token; empty when unknown.</summary>
    public string Issuer { get; }

    /// <summary>The user's subject (<c>sub</c> claim) at the issuer; empty when unknown.</summary>
    public string Subject { get; }

    /// <summary>
    /// When these infos stop being valid: the introspection <c>exp</c>, else the JWT <c>exp</c>,
    /// else <see langword="null"/>.
    /// </summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>
    /// The time left at <paramref name="now"/> until <see cref="ExpiresAt"/> (negative once it has passed),
    /// or <see langword="null"/> when no expiry is known. flaat's <c>valid_for_secs</c>.
    /// </summary>
    /// <param name="now">The current time, e.g. <c>TimeProvider.GetUtcNow()</c>.</param>
    public TimeSpan? TimeLeft(DateTimeOffset now) => ExpiresAt - now;

    /// <summary>Looks a claim up in userinfo, then introspection, then the JWT body.</summary>
    /// <param name="name">The claim name, case-sensitive.</param>
    /// <param name="value">The claim's value when found (possibly a JSON <c>null</c>).</param>
    /// <returns>Whether the claim is present in any of the three sources.</returns>
    public bool TryGetClaim(string name, out JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (UserInfo.TryGetValue(name, out value))
        {
            return true;
        }

        if (IntrospectionInfo is not null && IntrospectionInfo.TryGetValue(name, out value))
        {
            return true;
        }

        if (AccessTokenInfo is not null && AccessTokenInfo.Body.TryGetValue(name, out value))
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Looks a claim up in the token's own description only: introspection, then the JWT body, never
    /// userinfo (for claims that describe the token, such as its scopes, profile version and the
    /// WLCG groups asserted in it).
    /// </summary>
    internal bool TryGetTokenClaim(string name, out JsonElement value)
    {
        if (IntrospectionInfo is not null && IntrospectionInfo.TryGetValue(name, out value))
        {
            return true;
        }

        if (AccessTokenInfo is not null && AccessTokenInfo.Body.TryGetValue(name, out value))
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The claim's value, or <see langword="null"/> when it is absent.</summary>
    /// <param name="name">The claim name, case-sensitive.</param>
    public JsonElement? this[string name] => TryGetClaim(name, out var value) ? value : null;

    /// <summary>The claim as a string when it is a JSON string; otherwise <see langword="null"/>.</summary>
    /// <param name="name">The claim name, case-sensitive.</param>
    public string? GetString(string name) =>
        TryGetClaim(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// The claim as a list of strings: the string elements of a JSON array, or the one value of a
    /// JSON string; empty when the claim is absent or of another kind.
    /// </summary>
    /// <param name="name">The claim name, case-sensitive.</param>
    public IReadOnlyList<string> GetStrings(string name)
    {
        if (!TryGetClaim(name, out var value))
        {
            return [];
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return [value.GetString()!];
            case JsonValueKind.Array:
                var list = new List<string>(value.GetArrayLength());
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        list.Add(item.GetString()!);
                    }
                }

                return list;
            default:
                return [];
        }
    }

    /// <summary>The user as <c>sub@iss</c>.</summary>
    public override string ToString() => $"{Subject}@{Issuer}";

    /// <summary>
    /// Renders the whole object as flaat's <c>toJSON</c> does: <c>access_token_info</c> (null for an
    /// opaque token), <c>introspection_info</c> (null when not asked) and <c>user_info</c>, indented,
    /// with sorted keys.
    /// </summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, IndentSize = 4 }))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("access_token_info");
            if (AccessTokenInfo is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                AccessTokenInfo.WriteTo(writer);
            }

            writer.WritePropertyName("introspection_info");
            if (IntrospectionInfo is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                ClaimSet.WriteSorted(writer, IntrospectionInfo);
            }

            writer.WritePropertyName("user_info");
            ClaimSet.WriteSorted(writer, UserInfo);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static DateTimeOffset? ReadExpiry(IReadOnlyDictionary<string, JsonElement>? claims) =>
        claims is not null && claims.TryGetValue("exp", out var exp) ? NumericDate.Read(exp) : null;
}
