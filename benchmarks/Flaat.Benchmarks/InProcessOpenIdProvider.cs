using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Flaat.Benchmarks;

/// <summary>
/// An OpenID provider that lives in the benchmark process: discovery, JWKS and userinfo answered
/// from memory (through <see cref="InProcessNetwork"/>), with an optional latency, so that
/// measurements time Flaat and not a network. It counts the calls it gets.
/// </summary>
public sealed class InProcessOpenIdProvider : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);
    private readonly byte[] _discovery;
    private readonly byte[] _jwks;
    private readonly byte[] _userInfo;
    private int _discoveryCalls;
    private int _jwksCalls;
    private int _userInfoCalls;

    /// <summary>Creates a provider.</summary>
    /// <param name="issuer">Its issuer URL (a loopback address: nothing is ever sent there).</param>
    /// <param name="userInfoLatency">How long each userinfo answer takes.</param>
    /// <param name="accepts">Which tokens its userinfo endpoint accepts; all when <see langword="null"/>.</param>
    public InProcessOpenIdProvider(string issuer, TimeSpan userInfoLatency = default, Func<string, bool>? accepts = null)
    {
        Issuer = issuer;
        UserInfoLatency = userInfoLatency;
        Accepts = accepts ?? (static _ => true);
        KeyId = "bench-rsa-" + issuer.GetHashCode(StringComparison.Ordinal).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        _discovery = Json(new JsonObject
        {
            ["issuer"] = issuer,
            ["jwks_uri"] = issuer + "/jwks",
            ["userinfo_endpoint"] = issuer + "/userinfo",
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
        });
        var p = _key.ExportParameters(includePrivateParameters: false);
        JwksJson = new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = "RS256",
                ["kid"] = KeyId,
                ["n"] = Base64Url.EncodeToString(p.Modulus),
                ["e"] = Base64Url.EncodeToString(p.Exponent),
            }),
        }.ToJsonString();
        _jwks = Encoding.UTF8.GetBytes(JwksJson);
        _userInfo = Json(new JsonObject
        {
            ["sub"] = Subject,
            ["name"] = "Bench User",
            ["email"] = "bench.user@example.org",
            ["email_verified"] = true,
            ["preferred_username"] = "bench",
            ["eduperson_entitlement"] = new JsonArray(
                "urn:geant:h-df.de:group:helmholtz-all#login.helmholtz.de",
                "urn:geant:h-df.de:group:IAM:admins#login.helmholtz.de",
                "urn:geant:h-df.de:group:m-team:feudal-developers:role=member#login.helmholtz.de",
                "urn:geant:h-df.de:group:wlcg-test#login.helmholtz.de"),
        });
    }

    /// <summary>The subject of the user every accepted token belongs to.</summary>
    public const string Subject = "6c611e2a-2c1c-487f-9948-c058a36c8f0e";

    /// <summary>The audience of minted tokens.</summary>
    public const string Audience = "bench-api";

    /// <summary>An entitlement the user has through a subgroup (<see cref="Subject"/> is in m-team:feudal-developers).</summary>
    public const string RequiredEntitlement = "urn:geant:h-df.de:group:m-team#login.helmholtz.de";

    /// <summary>The issuer URL.</summary>
    public string Issuer { get; }

    /// <summary>The key id of the signing key.</summary>
    public string KeyId { get; }

    /// <summary>The JWKS document.</summary>
    public string JwksJson { get; }

    /// <summary>How long each userinfo answer takes.</summary>
    public TimeSpan UserInfoLatency { get; set; }

    /// <summary>Which tokens the userinfo endpoint accepts.</summary>
    public Func<string, bool> Accepts { get; set; }

    /// <summary>Discovery requests so far.</summary>
    public int DiscoveryCalls => Volatile.Read(ref _discoveryCalls);

    /// <summary>JWKS requests so far.</summary>
    public int JwksCalls => Volatile.Read(ref _jwksCalls);

    /// <summary>Userinfo requests so far.</summary>
    public int UserInfoCalls => Volatile.Read(ref _userInfoCalls);

    /// <summary>Mints an RS256 access token (about 730 characters) valid for an hour from <paramref name="now"/>.</summary>
    /// <param name="now">The issue time.</param>
    /// <param name="jti">The token id; a random one when <see langword="null"/>.</param>
    public string CreateJwt(DateTimeOffset now, string? jti = null)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = KeyId, ["typ"] = "at+jwt" };
        var iat = now.ToUnixTimeSeconds();
        var payload = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = Subject,
            ["aud"] = Audience,
            ["exp"] = iat + 3600,
            ["iat"] = iat,
            ["jti"] = jti ?? Guid.NewGuid().ToString(),
            ["client_id"] = "bench-client",
            ["scope"] = "openid profile email eduperson_entitlement",
        };
        var input = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()))
            + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Answers a request to one of this provider's endpoints; <see langword="null"/> when the path is not one.</summary>
    internal async Task<HttpResponseMessage?> AnswerAsync(HttpRequestMessage request, string path, CancellationToken cancellationToken)
    {
        switch (path)
        {
            case "/.well-known/openid-configuration":
                Interlocked.Increment(ref _discoveryCalls);
                return Answer(HttpStatusCode.OK, _discovery);
            case "/jwks":
                Interlocked.Increment(ref _jwksCalls);
                return Answer(HttpStatusCode.OK, _jwks);
            case "/userinfo":
                Interlocked.Increment(ref _userInfoCalls);
                if (UserInfoLatency > TimeSpan.Zero)
                {
                    await Task.Delay(UserInfoLatency, cancellationToken).ConfigureAwait(false);
                }

                return request.Headers.Authorization is { Scheme: "Bearer", Parameter: { } token } && Accepts(token)
                    ? Answer(HttpStatusCode.OK, _userInfo)
                    : Answer(HttpStatusCode.Unauthorized, """{"error":"invalid_token"}"""u8.ToArray());
            default:
                return null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();

    private static HttpResponseMessage Answer(HttpStatusCode status, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpResponseMessage(status) { Content = content };
    }

    private static byte[] Json(JsonObject document) => Encoding.UTF8.GetBytes(document.ToJsonString());
}

/// <summary>An <see cref="HttpMessageHandler"/> that routes requests to in-process providers by issuer URL; nothing leaves the process.</summary>
public sealed class InProcessNetwork : HttpMessageHandler
{
    private readonly InProcessOpenIdProvider[] _providers;

    /// <summary>Creates the network.</summary>
    /// <param name="providers">The providers it serves.</param>
    public InProcessNetwork(params InProcessOpenIdProvider[] providers) => _providers = providers;

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = request.RequestUri!.GetLeftPart(UriPartial.Path);
        foreach (var provider in _providers)
        {
            if (url.StartsWith(provider.Issuer, StringComparison.Ordinal)
                && await provider.AnswerAsync(request, url[provider.Issuer.Length..], cancellationToken).ConfigureAwait(false) is { } answer)
            {
                return answer;
            }
        }

        return new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new ByteArrayContent([]) };
    }
}
