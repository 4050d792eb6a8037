using Flaat.Evaluation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>
/// The <c>access_token</c> query parameter (RFC 6750 section 2.3), read only where the application
/// named the path (<see cref="FlaatEndpointOptions.QueryTokenPaths"/>) and only for a WebSocket
/// upgrade or a server-sent-event request: what browsers' SignalR, WebSocket and <c>EventSource</c>
/// clients send, since they cannot set an <c>Authorization</c> header. Anywhere else the query
/// string is not looked at. Registered by <c>AddFlaat</c>; the reader chain leaves it out when no
/// path is named, so an application that does not opt in pays nothing.
/// </summary>
/// <remarks>
/// A query string ends up in request logs, proxy logs and browser history: the token never reaches
/// Flaat's logs (as no token does), and the README says how to keep it out of the server's.
/// </remarks>
internal sealed class QueryStringTokenReader : IFlaatTokenReader
{
    /// <summary>The longest encoded parameter value decoded: the grammar's 16 384 characters, each percent-encoded.</summary>
    internal const int MaxEncodedLength = 3 * 16 * 1024;

    /// <summary>The refusal of a value longer than any acceptable token, made once (the value is not kept).</summary>
    private static readonly PresentedToken TooLong = BearerToken.FromQueryParameter(new string('A', (16 * 1024) + 1));

    private readonly PathString[] _paths;

    public QueryStringTokenReader(IOptions<FlaatEndpointOptions> options)
    {
        _paths = [.. options.Value.QueryTokenPaths.Select(Normalize)];
    }

    /// <summary>Whether any path is named (the chain leaves an inactive reader out).</summary>
    public bool IsActive => _paths.Length > 0;

    public PresentedToken? Read(HttpContext context)
    {
        var request = context.Request;
        if (!Covers(request.Path) || !(IsWebSocketRequest(context) || IsEventStreamRequest(request)))
        {
            return null;
        }

        return ReadQuery(request.QueryString.Value);
    }

    /// <summary>Whether a path lies under one of the named paths (segment boundaries, case-insensitive).</summary>
    internal bool Covers(PathString path)
    {
        foreach (var prefix in _paths)
        {
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The token of an encoded query string (<c>?a=b&amp;access_token=...</c>): <see langword="null"/>
    /// without an <c>access_token</c> parameter; refused when there are several, or the value is empty,
    /// too long or outside the token grammar (form decoding: <c>+</c> is a space, so a token's
    /// <c>+</c> must be sent as <c>%2B</c>).
    /// </summary>
    internal static PresentedToken? ReadQuery(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return null;
        }

        string? value = null;
        var found = false;
        var tooLong = false;
        foreach (var pair in new QueryStringEnumerable(query))
        {
            // Decoded only when percent-encoded (access%5Ftoken is the same name): other names cost no allocation.
            var name = pair.EncodedName.Span;
            if (!name.SequenceEqual(BearerToken.QueryParameterName)
                && (name.IndexOf('%') < 0 || !pair.DecodeName().Span.SequenceEqual(BearerToken.QueryParameterName)))
            {
                continue;
            }

            if (found)
            {
                return BearerToken.SeveralQueryParameters;
            }

            found = true;
            if (pair.EncodedValue.Length > MaxEncodedLength)
            {
                tooLong = true;
                continue;
            }

            value = pair.DecodeValue().ToString();
        }

        return !found ? null : tooLong ? TooLong : BearerToken.FromQueryParameter(value ?? string.Empty);
    }

    /// <summary>
    /// A WebSocket opening handshake: HTTP/1.1 <c>GET</c> with <c>Upgrade: websocket</c> on an
    /// upgradable connection (RFC 6455), or an HTTP/2 or HTTP/3 extended <c>CONNECT</c> for
    /// <c>websocket</c> (RFC 8441, RFC 9220). Judged from the request itself, because SignalR's
    /// endpoints add the WebSocket middleware inside the endpoint, after Flaat's gate.
    /// </summary>
    internal static bool IsWebSocketRequest(HttpContext context)
    {
        if (context.Features.Get<IHttpWebSocketFeature>() is { } webSockets)
        {
            return webSockets.IsWebSocketRequest;
        }

        var request = context.Request;
        if (HttpMethods.IsGet(request.Method))
        {
            return context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
                && request.Headers.Upgrade is { Count: 1 } upgrade
                && string.Equals(upgrade[0], "websocket", StringComparison.OrdinalIgnoreCase);
        }

        return HttpMethods.IsConnect(request.Method)
            && context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true, Protocol: var protocol }
            && string.Equals(protocol, "websocket", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A server-sent-event request: a <c>GET</c> whose <c>Accept</c> names <c>text/event-stream</c>.</summary>
    internal static bool IsEventStreamRequest(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method))
        {
            return false;
        }

        foreach (var value in request.Headers.Accept)
        {
            var rest = value.AsSpan();
            while (!rest.IsEmpty)
            {
                var comma = rest.IndexOf(',');
                var item = comma < 0 ? rest : rest[..comma];
                rest = comma < 0 ? default : rest[(comma + 1)..];
                var semicolon = item.IndexOf(';');
                if ((semicolon < 0 ? item : item[..semicolon]).Trim(" \t").Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Adds the paths under <c>Flaat:QueryTokenPaths</c> (a list) to the options.</summary>
    internal static void BindPaths(FlaatEndpointOptions options, IConfiguration section)
    {
        foreach (var child in section.GetSection(nameof(FlaatEndpointOptions.QueryTokenPaths)).GetChildren())
        {
            if (child.Value is { } path)
            {
                options.QueryTokenPaths.Add(path);
            }
        }
    }

    /// <summary>Why a named path is not usable; <see langword="null"/> when it is.</summary>
    internal static string? Problem(string? path) =>
        string.IsNullOrWhiteSpace(path) || path[0] != '/' ? "must start with '/'"
        : path.AsSpan().IndexOfAny("?#") >= 0 ? "must be a path, without '?' or '#'"
        : path.AsSpan().ContainsAny(" \t\r\n") ? "must not contain white space"
        : path.AsSpan().TrimEnd('/').IsEmpty ? "names every path ('/'): name only the paths of your hubs, WebSocket and event-stream endpoints (e.g. '/hubs/chat'), "
            + "since a token in a URL ends up in proxy and server logs"
        : null;

    /// <summary><c>/hubs/chat/</c> and <c>/hubs/chat</c> name the same prefix (<c>/</c>, every path, is refused at start).</summary>
    private static PathString Normalize(string path) =>
        path.TrimEnd('/') is { Length: > 0 } trimmed ? new PathString(trimmed) : PathString.Empty;
}

/// <summary>Checks the hosting settings at start-up: every named query-token path is a path.</summary>
internal sealed class FlaatEndpointOptionsValidation : IValidateOptions<FlaatEndpointOptions>
{
    public ValidateOptionsResult Validate(string? name, FlaatEndpointOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.QueryTokenPaths.Count; i++)
        {
            if (QueryStringTokenReader.Problem(options.QueryTokenPaths[i]) is { } problem)
            {
                errors.Add($"Flaat:{nameof(FlaatEndpointOptions.QueryTokenPaths)}:{i} {problem}.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
