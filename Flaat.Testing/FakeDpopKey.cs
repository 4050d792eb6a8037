using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Flaat.Testing;

/// <summary>
/// A client's DPoP key (RFC 9449) for tests: the fake OP binds tokens to it
/// (<see cref="FakeTokenOptions.DpopKey"/>), and it makes the proofs a client sends with them.
/// </summary>
public sealed class FakeDpopKey : IDisposable
{
    private readonly FakeSigningKey _key;

    private FakeDpopKey(FakeSigningKey key)
    {
        _key = key;
        PublicJwk = PublicMembers(key.ToJsonWebKey());
        Thumbprint = ComputeThumbprint(PublicJwk);
    }

    /// <summary>The JWS algorithm of the proofs: <see cref="FakeSigningKey.ES256"/>, <see cref="FakeSigningKey.RS256"/> or <see cref="FakeSigningKey.EdDSA"/>.</summary>
    public string Algorithm => _key.Algorithm;

    /// <summary>The public key as it stands in a proof's <c>jwk</c> header (the members RFC 7638 names).</summary>
    public JsonObject PublicJwk { get; }

    /// <summary>The RFC 7638 SHA-256 thumbprint (base64url): the <c>cnf.jkt</c> of tokens bound to this key.</summary>
    public string Thumbprint { get; }

    /// <summary>Creates a key.</summary>
    /// <param name="algorithm">The algorithm; ES256 by default.</param>
    /// <returns>A new key.</returns>
    public static FakeDpopKey Create(string algorithm = FakeSigningKey.ES256) =>
        new(FakeSigningKey.Create(algorithm, "dpop"));

    /// <summary>Makes a proof for one request.</summary>
    /// <param name="method">The request method (<c>htm</c>); <c>POST</c> for gRPC.</param>
    /// <param name="url">The request URL (<c>htu</c>); gRPC: <c>scheme://authority/package.Service/Method</c>.</param>
    /// <param name="accessToken">The access token sent with it (<c>ath</c>); none when <see langword="null"/> (token requests).</param>
    /// <param name="options">Other settings (time, <c>jti</c>, nonce, extra claims or headers); defaults when <see langword="null"/>.</param>
    /// <returns>The proof, for the <c>DPoP</c> request header.</returns>
    public string CreateProof(string method, string url, string? accessToken = null, FakeDpopProofOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(url);
        options ??= new FakeDpopProofOptions();
        var header = new JsonObject { ["typ"] = "dpop+jwt", ["alg"] = _key.Algorithm, ["jwk"] = PublicJwk.DeepClone() };
        var payload = new JsonObject
        {
            ["jti"] = options.Jti ?? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            ["htm"] = method,
            ["htu"] = url,
            ["iat"] = (options.IssuedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
        };
        if (accessToken is not null)
        {
            payload["ath"] = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        }

        if (options.Nonce is not null)
        {
            payload["nonce"] = options.Nonce;
        }

        foreach (var (name, value) in options.Claims)
        {
            payload[name] = value is null ? null : JsonValue.Create(value);
        }

        foreach (var (name, value) in options.HeaderParameters)
        {
            header[name] = value is null ? null : JsonValue.Create(value);
        }

        return _key.SignJws(header, payload);
    }

    /// <summary>Frees the key.</summary>
    public void Dispose() => _key.Release();

    private static JsonObject PublicMembers(JsonObject jwk)
    {
        var result = new JsonObject();
        foreach (var name in new[] { "kty", "crv", "x", "y", "n", "e" })
        {
            if (jwk[name] is { } value)
            {
                result[name] = value.DeepClone();
            }
        }

        return result;
    }

    private static string ComputeThumbprint(JsonObject jwk)
    {
        // RFC 7638: the required members in lexicographic order, no white space.
        var required = (string?)jwk["kty"] switch
        {
            "RSA" => new[] { "e", "kty", "n" },
            "EC" => ["crv", "kty", "x", "y"],
            _ => ["crv", "kty", "x"],
        };
        var canonical = new JsonObject();
        foreach (var name in required)
        {
            canonical[name] = jwk[name]!.DeepClone();
        }

        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToJsonString())));
    }
}

/// <summary>How <see cref="FakeDpopKey.CreateProof"/> makes a proof (for tests of stale, replayed or altered proofs).</summary>
public sealed class FakeDpopProofOptions
{
    /// <summary>The proof's <c>iat</c>; now when <see langword="null"/>.</summary>
    public DateTimeOffset? IssuedAt { get; set; }

    /// <summary>The proof's <c>jti</c>; a random one when <see langword="null"/>.</summary>
    public string? Jti { get; set; }

    /// <summary>The server's nonce (<c>nonce</c>); none when <see langword="null"/>.</summary>
    public string? Nonce { get; set; }

    /// <summary>Claims added to (or replacing, or with <see langword="null"/> nulling) the proof's claims.</summary>
    public IDictionary<string, string?> Claims { get; } = new Dictionary<string, string?>(StringComparer.Ordinal);

    /// <summary>Header parameters added to (or replacing) the proof's header, e.g. <c>typ</c>.</summary>
    public IDictionary<string, string?> HeaderParameters { get; } = new Dictionary<string, string?>(StringComparer.Ordinal);
}
