using Microsoft.Extensions.Logging;

namespace Flaat.Redis;

/// <summary>The shared cache's log lines (event ids 32xx). A token never appears in them, only a short prefix of its SHA-256.</summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Warning, Message = "Redis is unavailable ({Operation}: {ErrorType}: {Problem}); requests go on with the local cache and their own OP calls, and Redis is tried again every {RetryInterval}")]
    public static partial void Unavailable(ILogger logger, string operation, string errorType, string problem, TimeSpan retryInterval);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Redis is available again; the token cache is shared again")]
    public static partial void Available(ILogger logger);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "A value from Redis could not be unprotected with this replica's Data Protection keys and was ignored (as a miss); replicas must share their key ring and application name (see Flaat.Redis' README)")]
    public static partial void Unprotectable(ILogger logger);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information, Message = "The token cache is shared on Redis under the prefix '{KeyPrefix}', its values protected with ASP.NET Core Data Protection")]
    public static partial void Started(ILogger logger, string keyPrefix);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Debug, Message = "Token {TokenId} was revoked by another replica; its local copy is dropped")]
    public static partial void RevokedElsewhere(ILogger logger, string tokenId);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Debug, Message = "Waited {Elapsed} for another replica's answer about token {TokenId}: {Result}")]
    public static partial void Waited(ILogger logger, string tokenId, TimeSpan elapsed, string result);
}
