using Flaat.Evaluation;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Flaat.AspNetCore;

/// <summary>
/// The last <c>Authorization</c> header seen on an HTTP/1 connection, with the token it presented.
/// Kestrel hands the same header string to every request of a keep-alive connection that sends the
/// same bytes, so the next request gets the same <see cref="PresentedToken"/> back: not parsed
/// again, and its SHA-256 (computed once per instance) not computed again. The engine's cache (and
/// its expiry checks) and the token binders are still asked every time. The memo lives in the
/// connection's items and goes with the connection.
/// </summary>
internal sealed class ConnectionTokenMemo
{
    private static readonly object Key = new();
    private static readonly object DpopKey = new();

    private readonly string _header;
    private readonly PresentedToken _token;

    private ConnectionTokenMemo(string header, PresentedToken token)
    {
        _header = header;
        _token = token;
    }

    /// <summary>
    /// Reads the request's <c>Authorization</c> header with RFC 6750's grammar; <see langword="null"/>
    /// when there is none. Several headers are refused (never joined, never sent on to an OP).
    /// </summary>
    public static PresentedToken? Read(HttpContext context)
    {
        var values = context.Request.Headers.Authorization;
        if (values.Count != 1 || values[0] is not { } header)
        {
            return values.Count == 0 ? null : BearerToken.SeveralHeaders;
        }

        var items = ItemsOf(context);
        if (items is not null && items.TryGetValue(Key, out var value) && value is ConnectionTokenMemo memo
            && string.Equals(memo._header, header, StringComparison.Ordinal))
        {
            // Reference-equal in the common case; otherwise a length check and a vectorised compare,
            // far cheaper than parsing and hashing. Equal text is the same token: never another user's verdict.
            return memo._token;
        }

        if (DpopToken.IsDpop(header))
        {
            // A DPoP proof is new on every request: nothing to remember.
            return ReadDpop(context, header);
        }

        var token = BearerToken.FromAuthorizationHeader(header);
        if (token.HasToken && items is not null)
        {
            items[Key] = new ConnectionTokenMemo(header, token);
        }

        return token;
    }

    /// <summary>
    /// The <c>DPoP</c> scheme (RFC 9449): the token, every <c>DPoP</c> proof header (exactly one is
    /// accepted) and the request's method and URL (scheme and host as the server sees them, so as
    /// the forwarded headers middleware set them when the application uses it; gRPC: <c>POST</c>
    /// and <c>scheme://authority/package.Service/Method</c>).
    /// </summary>
    /// <remarks>
    /// Kept for the request (its items): the authentication scheme and an endpoint's gate may both
    /// judge one request, and its proof must then not be a replay of itself.
    /// </remarks>
    private static PresentedToken ReadDpop(HttpContext context, string header)
    {
        if (context.Items.TryGetValue(DpopKey, out var kept) && kept is PresentedToken token)
        {
            return token;
        }

        var request = context.Request;
        var url = Microsoft.AspNetCore.Http.Extensions.UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path);
        token = DpopToken.FromAuthorizationHeader(header, request.Headers[DpopToken.ProofHeader], request.Method, url);
        context.Items[DpopKey] = token;
        return token;
    }

    /// <summary>Whether the connection's memo holds this very header string (for tests).</summary>
    internal static bool HoldsSameHeader(HttpContext context) =>
        ItemsOf(context) is { } items && items.TryGetValue(Key, out var value) && value is ConnectionTokenMemo memo
        && context.Request.Headers.Authorization is { Count: 1 } values && ReferenceEquals(memo._header, values[0]);

    /// <summary>
    /// The connection's items, on HTTP/1 only: its requests come one after another, while HTTP/2
    /// streams of one connection run at once and the items are not made for concurrent writes.
    /// None without the feature (TestServer): then every request parses and hashes.
    /// </summary>
    private static IDictionary<object, object?>? ItemsOf(HttpContext context) =>
        HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol)
            ? context.Features.Get<IConnectionItemsFeature>()?.Items
            : null;
}
