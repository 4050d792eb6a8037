using Flaat.Diagnostics;
using Flaat.Http;
using Flaat.Tokens;
using Microsoft.Extensions.Logging;

namespace Flaat.Issuers;

/// <summary>The trusted issuers: the trusted list, the per-issuer entries and the pinned issuer.</summary>
internal sealed class IssuerRegistry
{
    private readonly Dictionary<string, IssuerContext> _byIssuer = new(StringComparer.Ordinal);

    public IssuerRegistry(FlaatOptions options, OpClient client, TimeProvider time, ILogger logger, CancellationToken lifetime)
    {
        var settings = new Dictionary<string, IssuerOptions>(StringComparer.Ordinal);
        foreach (var entry in options.Issuers)
        {
            settings[IssuerUrl.Normalize(entry.Issuer)] = entry;
        }

        var configured = new List<string>();
        configured.AddRange(options.TrustedIssuers);
        configured.AddRange(options.Issuers.Select(entry => entry.Issuer));
        if (!string.IsNullOrWhiteSpace(options.Issuer))
        {
            configured.Add(options.Issuer);
        }

        var keyLimits = KeyLimits.From(options.Keys);
        var probeCandidates = new List<IssuerContext>();
        foreach (var url in configured)
        {
            var issuer = IssuerUrl.Normalize(url);
            if (_byIssuer.ContainsKey(issuer))
            {
                continue;
            }

            settings.TryGetValue(issuer, out var own);
            // Per-issuer credentials win over the global pair (flaat has only the global one).
            var (clientId, clientSecret) = !string.IsNullOrEmpty(own?.ClientId)
                ? (own!.ClientId, own.ClientSecret)
                : (options.ClientId, options.ClientSecret);
            var context = new IssuerContext(url, clientId, clientSecret, own?.IssuesJwt ?? false, options.AllowInsecureHttpIssuers, keyLimits, client, options.Cache, time, logger, lifetime)
            {
                TokenPolicy = AccessTokenPolicy.For(options, own),
            };
            _byIssuer.Add(issuer, context);
            if (!context.IssuesJwt)
            {
                probeCandidates.Add(context);
            }
        }

        ProbeCandidates = probeCandidates;
        Pinned = string.IsNullOrWhiteSpace(options.Issuer) ? null : _byIssuer[IssuerUrl.Normalize(options.Issuer)];
    }

    /// <summary>The pinned issuer (<see cref="FlaatOptions.Issuer"/>), if any.</summary>
    public IssuerContext? Pinned { get; }

    /// <summary>The trusted issuers that may be sent an opaque token to find its issuer, in configured order.</summary>
    public IReadOnlyList<IssuerContext> ProbeCandidates { get; }

    /// <summary>
    /// The issuer if it is trusted (one trailing slash ignored, as <see cref="IssuerUrl.AreSame"/> does;
    /// <c>https://op//</c> is not <c>https://op</c>); <see langword="null"/> otherwise.
    /// </summary>
    public IssuerContext? Find(string issuer) =>
        _byIssuer.TryGetValue(IssuerUrl.WithoutTrailingSlash(issuer), out var context) ? context : null;

    /// <summary>The state of every trusted issuer, in configured order (<see cref="IFlaatIssuerMonitor"/>).</summary>
    public IReadOnlyList<FlaatIssuerState> GetStates() => [.. _byIssuer.Values.Select(static issuer => issuer.GetState())];
}
