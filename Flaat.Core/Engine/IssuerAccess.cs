using Flaat.Errors;
using Flaat.Issuers;
using Flaat.Tokens;

namespace Flaat.Engine;

/// <summary>
/// The engine's way into an <see cref="IssuerContext"/>: its discovery document and signing keys as
/// results. The issuer state reports failures as <see cref="FlaatException"/>s; this is the one place
/// where the engine turns them into values.
/// </summary>
internal static class IssuerAccess
{
    /// <summary>The issuer's discovery document, or why it cannot be had (503 unreachable, 500 broken).</summary>
    public static async ValueTask<Result<IssuerConfiguration>> ConfigurationAsync(this IssuerContext issuer, CancellationToken cancellationToken)
    {
        try
        {
            return await issuer.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (FlaatException e)
        {
            return e.ToError();
        }
    }

    /// <summary>The issuer's keys as the shared <see cref="JwtValidator"/> reads them.</summary>
    public static ISigningKeySource Keys(this IssuerContext issuer) => new IssuerKeys(issuer);

    private sealed class IssuerKeys(IssuerContext issuer) : ISigningKeySource
    {
        public string Owner => "issuer " + issuer.Issuer;

        public async ValueTask<Result<KeySet>> GetKeysAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await issuer.GetKeysAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (FlaatException e)
            {
                return e.ToError();
            }
        }

        public async ValueTask<Result<KeySet?>> RefreshKeysAsync(KeySet seen, CancellationToken cancellationToken)
        {
            try
            {
                return await issuer.RefreshKeysAsync(seen, cancellationToken).ConfigureAwait(false);
            }
            catch (FlaatException e)
            {
                return e.ToError();
            }
        }
    }
}
