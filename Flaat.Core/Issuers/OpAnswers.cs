using System.Text.Json;
using Flaat.Errors;
using Flaat.Tokens;

namespace Flaat.Issuers;

/// <summary>
/// Binds an OP's userinfo and introspection answers to the OP that was asked and to the token:
/// nothing a trusted OP answers can make the user another OP's user, or another subject than the
/// verified JWT names.
/// </summary>
/// <remarks>
/// A mismatch is answered 401, not 500: the OP and the token disagree about who the user is, and
/// the one thing certain is that this token must not pass. It is not a misconfiguration of this
/// API (nothing in its settings can fix it), and an OP that answers for another OP's users, or
/// for another subject, is hostile or broken; a 500 would also let such an OP turn any token it
/// is shown into a server fault. The description names the mismatch, never a token.
/// </remarks>
internal static class OpAnswers
{
    /// <summary>
    /// The subject a verified JWT names, which the OP's answers must repeat; <see langword="null"/>
    /// for an opaque token or a JWT without <c>sub</c>.
    /// </summary>
    /// <remarks>A refusal (401) when the JWT's <c>sub</c> is not a string.</remarks>
    public static Result<string?> SubjectOf(DecodedJwt? jwt)
    {
        if (jwt is null || !jwt.Body.TryGetProperty("sub", out var sub))
        {
            return Result<string?>.Ok(null);
        }

        return sub.ValueKind == JsonValueKind.String
            ? sub.GetString()
            : Result<string?>.Refuse("Token has a malformed sub claim");
    }

    /// <summary>
    /// The claims of a userinfo answer, checked against the issuer asked and the token's subject, with
    /// <c>iss</c> set to the issuer asked (normalised).
    /// </summary>
    /// <remarks>A refusal (401) when the answer names another issuer or subject, or a malformed one.</remarks>
    public static Result<IReadOnlyDictionary<string, JsonElement>> BindUserInfo(JsonElement body, IssuerContext issuer, string? tokenSubject)
    {
        // Copied first: with duplicate keys the last one wins here as everywhere else, so what is
        // checked is what the user infos will hold.
        var claims = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            claims[property.Name] = property.Value;
        }

        if ((CheckIssuer(claims, issuer, "userinfo") ?? CheckSubject(claims, issuer, "userinfo", tokenSubject, "the token's")) is { } problem)
        {
            return Result<IReadOnlyDictionary<string, JsonElement>>.Refuse(problem);
        }

        claims["iss"] = issuer.IssuerElement;
        return claims;
    }

    /// <summary>
    /// The claims of an introspection answer that says the token is active, checked against the issuer
    /// asked, the token's subject, the userinfo subject and the clock.
    /// </summary>
    /// <remarks>A refusal (401) when the token is not active or has expired, or the answer names another issuer or subject, or is malformed.</remarks>
    public static Result<IReadOnlyDictionary<string, JsonElement>> BindIntrospection(
        JsonElement body,
        IssuerContext issuer,
        string? tokenSubject,
        IReadOnlyDictionary<string, JsonElement> userInfo,
        DateTimeOffset now,
        TimeSpan clockSkew)
    {
        var claims = ClaimSet.From(body, "introspection");
        var problem = IntrospectionProblem(claims, issuer, tokenSubject, userInfo, now, clockSkew);
        return problem is null ? Result<IReadOnlyDictionary<string, JsonElement>>.Ok(claims) : Result<IReadOnlyDictionary<string, JsonElement>>.Refuse(problem);
    }

    private static string? IntrospectionProblem(
        IReadOnlyDictionary<string, JsonElement> claims,
        IssuerContext issuer,
        string? tokenSubject,
        IReadOnlyDictionary<string, JsonElement> userInfo,
        DateTimeOffset now,
        TimeSpan clockSkew)
    {
        if (!claims.TryGetValue("active", out var active) || active.ValueKind != JsonValueKind.True)
        {
            return $"The OP {issuer.Issuer} reports the token as not active";
        }

        var problem = CheckIssuer(claims, issuer, "introspection")
            ?? CheckSubject(claims, issuer, "introspection", tokenSubject, "the token's")
            ?? (userInfo.TryGetValue("sub", out var userInfoSubject) ? CheckSubject(claims, issuer, "introspection", userInfoSubject.GetString(), "its userinfo") : null);
        if (problem is not null)
        {
            return problem;
        }

        if (claims.TryGetValue("exp", out var exp) && exp.ValueKind != JsonValueKind.Null)
        {
            if (NumericDate.Read(exp) is not { } expiresAt)
            {
                return $"The OP {issuer.Issuer} answered introspection with a malformed exp";
            }

            if (now > expiresAt + clockSkew)
            {
                return $"The OP {issuer.Issuer} reports the token as active but expired";
            }
        }

        return null;
    }

    /// <summary>
    /// The userinfo claims to build the user infos from, with <c>iss</c> added when the merged issuer
    /// (introspection, then the JWT) would not be exactly the issuer asked (normalised): the user's
    /// issuer is always the OP asked.
    /// </summary>
    public static IReadOnlyDictionary<string, JsonElement> WithAskedIssuer(
        IReadOnlyDictionary<string, JsonElement> userInfo,
        IReadOnlyDictionary<string, JsonElement>? introspection,
        AccessTokenInfo? token,
        IssuerContext issuer)
    {
        if (userInfo.ContainsKey("iss"))
        {
            return userInfo;
        }

        JsonElement merged = default;
        var found = (introspection?.TryGetValue("iss", out merged) ?? false) || (token?.Body.TryGetValue("iss", out merged) ?? false);
        if (found && merged.ValueKind == JsonValueKind.String && merged.GetString() == issuer.Issuer)
        {
            return userInfo;
        }

        var claims = new Dictionary<string, JsonElement>(userInfo, StringComparer.Ordinal) { ["iss"] = issuer.IssuerElement };
        return claims;
    }

    private static string? CheckIssuer(IReadOnlyDictionary<string, JsonElement> claims, IssuerContext issuer, string endpoint)
    {
        if (!claims.TryGetValue("iss", out var iss))
        {
            return null;
        }

        if (iss.ValueKind != JsonValueKind.String)
        {
            return $"The OP {issuer.Issuer} answered {endpoint} with a malformed iss";
        }

        var value = iss.GetString();
        return IssuerUrl.AreSame(value, issuer.Issuer)
            ? null
            : $"The OP {issuer.Issuer} answered {endpoint} for another issuer ({ErrorText.Shorten(value!)})";
    }

    private static string? CheckSubject(IReadOnlyDictionary<string, JsonElement> claims, IssuerContext issuer, string endpoint, string? expected, string expectedName)
    {
        if (!claims.TryGetValue("sub", out var sub))
        {
            return null;
        }

        if (sub.ValueKind != JsonValueKind.String)
        {
            return $"The OP {issuer.Issuer} answered {endpoint} with a malformed sub";
        }

        return expected is not null && !string.Equals(sub.GetString(), expected, StringComparison.Ordinal)
            ? $"The OP {issuer.Issuer} answered {endpoint} for another subject than {expectedName}"
            : null;
    }
}
