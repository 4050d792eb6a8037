using Flaat.Caching;
using Flaat.Evaluation;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Flaat.AspNetCore;

/// <summary>
/// The last <c>Authorization</c> header seen on an HTTP/1 connection, with its parsed token and the
/// token's SHA-256. Kestrel hands the same header string to every request of a keep-alive
/// connection that sends the same bytes, so the next request skips parsing and hashing; the
/// engine's cache (and its expiry checks) is still asked every time. The memo lives in the
/// connection's items and goes with the connection.
/// </summary>
internal sealed class ConnectionTokenMemo
{
    private static readonly object Key = new();

    private readonly string _header;
    private readonly BearerToken _token;
    private readonly TokenHash _hash;

    private ConnectionTokenMemo(string header, BearerToken token, TokenHash hash)
    {
        _header = header;
        _token = token;
        _hash = hash;
    }

    /// <summary>
    /// Reads the request's bearer token; <paramref name="hash"/> is its SHA-256 when there is one.
    /// </summary>
    public static BearerToken Read(HttpContext context, out TokenHash? hash)
    {
        var values = context.Request.Headers.Authorization;
        if (values.Count != 1 || values[0] is not { } header)
        {
            // No header, or several (refused, never joined).
            hash = null;
            return FlaatHttpGate.ReadToken(values);
        }

        var items = ItemsOf(context);
        if (items is not null && items.TryGetValue(Key, out var value) && value is ConnectionTokenMemo memo
            && string.Equals(memo._header, header, StringComparison.Ordinal))
        {
            // Reference-equal in the common case; otherwise a length check and a vectorised compare,
            // far cheaper than the hash. Equal text is the same token: never another user's verdict.
            hash = memo._hash;
            return memo._token;
        }

        var token = BearerToken.FromAuthorizationHeader(header);
        if (!token.HasToken)
        {
            hash = null;
            return token;
        }

        var computed = TokenHash.Compute(token.Token!);
        if (items is not null)
        {
            items[Key] = new ConnectionTokenMemo(header, token, computed);
        }

        hash = computed;
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
