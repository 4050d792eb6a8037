using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Flaat.Tokens;

namespace Flaat.Engine;

/// <summary>
/// A short, stable name of everything in an engine's settings that decides whether a token is
/// accepted and what its user infos hold: base64url of the SHA-256 of a canonical text. Written
/// into every <see cref="Caching.TokenOutcome"/> the engine stores; an outcome with another one
/// (kept by an engine configured otherwise, e.g. another API sharing the store) is not served.
/// </summary>
internal static class ConfigurationFingerprint
{
    // Raised whenever the canonical text below changes meaning, so old entries stop matching.
    private const string FormatVersion = "flaat-outcome/1";

    /// <summary>Computes the fingerprint, once per engine.</summary>
    public static string Compute(FlaatOptions options, IReadOnlyList<IUserInfosPostProcessor> postProcessors)
    {
        var text = new StringBuilder(FormatVersion).Append('\n');
        Line(text, "verify-jwt", options.VerifyJwt);
        Line(text, "token-claims-suffice", options.TokenClaimsSuffice);
        Line(text, "clock-skew", options.ClockSkew.Ticks);
        Line(text, "min-rsa-key", options.Keys.MinimumRsaKeySize);
        Line(text, "probing", options.Probing.Enabled);
        Line(text, "pinned", string.IsNullOrWhiteSpace(options.Issuer) ? string.Empty : IssuerUrl.Normalize(options.Issuer));
        Line(text, "audiences", Sorted(options.Audiences ?? []));

        var own = new Dictionary<string, IssuerOptions>(StringComparer.Ordinal);
        foreach (var entry in options.Issuers)
        {
            // The last entry for an issuer wins, as in IssuerRegistry.
            own[IssuerUrl.Normalize(entry.Issuer)] = entry;
        }

        IEnumerable<string> pinned = string.IsNullOrWhiteSpace(options.Issuer) ? [] : [options.Issuer];
        var issuers = options.TrustedIssuers.Concat(options.Issuers.Select(static entry => entry.Issuer)).Concat(pinned)
            .Select(IssuerUrl.Normalize)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        foreach (var issuer in issuers)
        {
            own.TryGetValue(issuer, out var settings);
            var policy = AccessTokenPolicy.For(options, settings);
            var clientId = !string.IsNullOrEmpty(settings?.ClientId) ? settings.ClientId : options.ClientId;
            Line(text, "issuer", issuer);
            Line(text, " audiences", Sorted(policy.Audiences));
            Line(text, " types", Sorted(policy.Types));
            Line(text, " supports-audience", settings?.SupportsAudience ?? true);
            Line(text, " issues-jwt", settings?.IssuesJwt ?? false);
            Line(text, " introspection-client", clientId ?? string.Empty);
        }

        foreach (var processor in postProcessors)
        {
            Line(text, "post-processor", processor.GetType().FullName ?? processor.GetType().Name);
        }

        return Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static void Line(StringBuilder text, string name, string value) =>
        // Values are length-prefixed, so no value can forge the line after it.
        text.Append(name).Append('=').Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');

    private static void Line(StringBuilder text, string name, bool value) => Line(text, name, value ? "true" : "false");

    private static void Line(StringBuilder text, string name, long value) => Line(text, name, value.ToString(CultureInfo.InvariantCulture));

    private static string Sorted(IEnumerable<string> values) =>
        string.Join(' ', values.Select(static value => value.Length.ToString(CultureInfo.InvariantCulture) + ":" + value).Order(StringComparer.Ordinal));

    private static string Base64Url(byte[] hash) =>
        Convert.ToBase64String(hash).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
