using Flaat.Errors;
using Flaat.Issuers;
using Flaat.Tokens;

namespace Flaat.Engine;

/// <summary>
/// The engine's way into an <see cref="IssuerContext"/>: its discovery document and signing keys as
/// results. The issuer state reports failures as <see cref="FlaatException"/>s; here (and for the OP
/// client's local faults, in <see cref="OpClaims"/>) the engine turns them into values, with
/// <see cref="ResultExtensions.Catching{T}(ValueTask{T})"/>.
/// </summary>
internal static class IssuerAccess
{
    /// <summary>The issuer's discovery document, or why it cannot be had (503 unreachable, 500 broken).</summary>
    public static ValueTask<Result<IssuerConfiguration>> ConfigurationAsync(this IssuerContext issuer, CancellationToken cancellationToken) =>
        issuer.GetConfigurationAsync(cancellationToken).Catching();

    /// <summary>The issuer's keys as the shared <see cref="JwtValidator"/> reads them.</summary>
    public static ISigningKeySource Keys(this IssuerContext issuer) => new IssuerKeys(issuer);

    private sealed class IssuerKeys(IssuerContext issuer) : ISigningKeySource
    {
        public string Owner => "issuer " + issuer.Issuer;

        public ValueTask<Result<KeySet>> GetKeysAsync(CancellationToken cancellationToken) =>
            issuer.GetKeysAsync(cancellationToken).Catching();

        public ValueTask<Result<KeySet?>> RefreshKeysAsync(KeySet seen, CancellationToken cancellationToken) =>
            issuer.RefreshKeysAsync(seen, cancellationToken).Catching();
    }
}
