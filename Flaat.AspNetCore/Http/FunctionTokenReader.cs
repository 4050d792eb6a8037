using Flaat.Evaluation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Flaat.AspNetCore;

/// <summary>
/// An application's own token source as a function of the request (<see cref="FlaatBuilder.ReadTokenFrom"/>):
/// its answer is checked like any token (<see cref="BearerToken.FromToken(string?, TokenSource)"/>,
/// <see cref="TokenSource.Other"/>), and a request that also sends a token another reader finds is refused.
/// An exception from the function (say, it parses a client's cookie) is the client's malformed request,
/// never a 500: it is logged (its type only: its message may quote what the client sent) and the
/// request is refused as <c>invalid_request</c>.
/// </summary>
internal sealed partial class FunctionTokenReader(Func<HttpContext, string?> read, ILogger<FunctionTokenReader>? logger = null) : IFlaatTokenReader
{
    // What FromToken makes of a presented but empty token: invalid_request, no token to judge.
    private static readonly PresentedToken SourceFailed = BearerToken.FromToken(" ", TokenSource.Other);

    public PresentedToken? Read(HttpContext context)
    {
        string? token;
        try
        {
            token = read(context);
        }
        catch (Exception exception)
        {
            if (logger is not null)
            {
                LogSourceFailed(logger, exception.GetType().FullName);
            }

            return SourceFailed;
        }

        return token is null ? null : BearerToken.FromToken(token, TokenSource.Other);
    }

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Flaat: the application's token source (ReadTokenFrom) threw {ExceptionType}; the request is refused as invalid_request.")]
    private static partial void LogSourceFailed(ILogger logger, string? exceptionType);
}
