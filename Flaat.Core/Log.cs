using Microsoft.Extensions.Logging;

namespace Flaat;

/// <summary>
/// The token engine's log lines (event ids 20xx) and those of its issuers and OP client (21xx); the
/// ranges of the other parts are listed on <see cref="Diagnostics.FlaatDiagnostics"/>, and a test
/// checks that no id is used twice. A token never appears in them, only a short prefix of its SHA-256.
/// </summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Token {TokenId} was not accepted ({StatusCode}): {Reason}")]
    public static partial void TokenNotAccepted(ILogger logger, string tokenId, int statusCode, string reason);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Warning, Message = "The OP {Issuer} could not be reached at {Endpoint}: {Problem}")]
    public static partial void OpUnavailable(ILogger logger, string issuer, Uri endpoint, string problem);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "Serving the cached configuration of {Issuer}, which could not be refreshed: {Problem}")]
    public static partial void ServingStaleConfiguration(ILogger logger, string issuer, string problem);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Warning, Message = "Serving the cached keys of {Issuer}, which could not be refreshed: {Problem}")]
    public static partial void ServingStaleKeys(ILogger logger, string issuer, string problem);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Information, Message = "Loaded {Count} signing keys of {Issuer} ({Skipped} encryption, unsupported or broken keys left out)")]
    public static partial void KeysLoaded(ILogger logger, string issuer, int count, int skipped);

    [LoggerMessage(EventId = 2114, Level = LogLevel.Error, Message = "The discovery document at {Uri} names issuer {Found}, not {Expected}; it is not used")]
    public static partial void DiscoveryIssuerMismatch(ILogger logger, Uri uri, string found, string expected);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "Token {TokenId} was accepted by {Issuer} when probing the trusted OPs")]
    public static partial void TokenIssuerProbed(ILogger logger, string tokenId, string issuer);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Refreshing the keys of {Issuer}: the token's key id '{KeyId}' is unknown")]
    public static partial void UnknownKeyId(ILogger logger, string issuer, string keyId);

    [LoggerMessage(EventId = 2115, Level = LogLevel.Error, Message = "The configuration of {Issuer} could not be used: {Problem}")]
    public static partial void ConfigurationFailed(ILogger logger, string issuer, string problem);

    [LoggerMessage(EventId = 2116, Level = LogLevel.Warning, Message = "Ignored {Ignored} keys of {Issuer} beyond the limit of {Limit} keys per key set (Flaat:Keys:MaxKeysPerSet)")]
    public static partial void KeysIgnored(ILogger logger, string issuer, int ignored, int limit);

    [LoggerMessage(EventId = 2050, Level = LogLevel.Warning, Message = "The token cache failed to read from memory ({ErrorType}: {Problem}); treated as a miss (logged at most every 30 s)")]
    public static partial void CacheTryGetFailed(ILogger logger, string errorType, string problem, Exception exception);

    [LoggerMessage(EventId = 2051, Level = LogLevel.Warning, Message = "The token cache failed to read ({ErrorType}: {Problem}); treated as a miss (logged at most every 30 s)")]
    public static partial void CacheGetFailed(ILogger logger, string errorType, string problem, Exception exception);

    [LoggerMessage(EventId = 2052, Level = LogLevel.Warning, Message = "The token cache failed to keep an outcome ({ErrorType}: {Problem}); the result is returned uncached (logged at most every 30 s)")]
    public static partial void CacheSetFailed(ILogger logger, string errorType, string problem, Exception exception);

    [LoggerMessage(EventId = 2053, Level = LogLevel.Debug, Message = "Token {TokenId} has a cached outcome this engine does not serve (other settings, expired or not usable); asking the OP")]
    public static partial void CachedOutcomeNotServed(ILogger logger, string tokenId);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "Token {TokenId} was not probed: the probing budget is spent ({Reason})")]
    public static partial void ProbeBudgetSpent(ILogger logger, string tokenId, string reason);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Warning, Message = "Token {TokenId} was accepted by more than one trusted OP when probing ({Issuers}); it is refused")]
    public static partial void ProbeAmbiguous(ILogger logger, string tokenId, string issuers);

    [LoggerMessage(EventId = 2054, Level = LogLevel.Information, Message = "Token {TokenId} was revoked: its cached outcome is dropped")]
    public static partial void TokenRevoked(ILogger logger, string tokenId);
}
