using Microsoft.Extensions.Logging;

namespace Flaat.Evaluation;

/// <summary>The DPoP binder's log messages (event ids 33xx).</summary>
public sealed partial class DpopTokenBinder
{
    [LoggerMessage(EventId = 3301, Level = LogLevel.Debug, Message = "DPoP proof refused: {Problem}")]
    private static partial void LogProofRefused(ILogger logger, string problem);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "The DPoP replay cache failed ({Exception}); the request is answered 503")]
    private static partial void LogReplayCacheFailed(ILogger logger, string exception);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Warning, Message = "The DPoP replay cache cannot take more proofs ({Reason}); DPoP requests are answered 503 until entries expire (logged at most once a minute). Raise Flaat:Dpop:MaxReplayEntries, or use a shared replay cache")]
    private static partial void LogReplayCacheRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 3304, Level = LogLevel.Debug, Message = "DPoP proof refused: its key has {Quota} proofs remembered within the proof lifetime (Flaat:Dpop:MaxProofsPerKey)")]
    private static partial void LogKeyOverQuota(ILogger logger, int quota);
}
