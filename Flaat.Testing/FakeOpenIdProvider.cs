using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using WireMock;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace Flaat.Testing;

/// <summary>
/// An in-process OpenID provider on 127.0.0.1 for tests: discovery, a JWKS (an encryption key
/// first, then the signing keys), userinfo and introspection; it mints JWT and opaque access
/// tokens for <see cref="FakeUser"/>s and can be told to fail. Built on WireMock.Net.
/// </summary>
/// <example>
/// <code>
/// using var op = FakeOpenIdProvider.Start(new() { PathPrefix = "/realms/test" });
/// var token = op.CreateJwt(new FakeUser("alice").WithClaim("groups", new[] { "admins" }));
/// // trust op.Issuer in the code under test, then call it with "Authorization: Bearer " + token
/// </code>
/// </example>
public sealed class FakeOpenIdProvider : IDisposable, IAsyncDisposable
{
    /// <summary>
    /// The WireMock priority of the built-in endpoints. Mappings added to <see cref="Server"/> with
    /// the default priority (0) or any lower number win over them, so a test can serve odd documents.
    /// </summary>
    public const int BuiltInMappingPriority = 1000;

    private const string JsonContentType = "application/json";
    private static readonly int EndpointCount = Enum.GetValues<FakeOpenIdEndpoint>().Length;

    private readonly FakeOpenIdProviderOptions _options;
    private readonly string[] _algorithms;
    private readonly WireMockServer _server;
    private readonly CancellationTokenSource _disposed = new();
    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly List<FakeSigningKey> _allKeys = [];
    private readonly Lock _keysLock = new();
    private readonly string _encryptionKeyId = "enc-" + RandomSuffix();
    private readonly int[] _counts = new int[EndpointCount];

    // Index EndpointCount holds the fault for paths that are not one of the endpoints.
    private readonly Fault[] _faults = new Fault[EndpointCount + 1];
    private readonly string[] _paths;
    private readonly Guid[] _documentMappings = [.. Enumerable.Range(0, EndpointCount).Select(_ => Guid.NewGuid())];
    private volatile KeySet _keys;
    private int _keyGeneration;

    private FakeOpenIdProvider(FakeOpenIdProviderOptions options)
    {
        _options = options;
        _algorithms = [.. options.SigningAlgorithms ?? throw new ArgumentException("FakeOpenIdProviderOptions.SigningAlgorithms must not be null.", nameof(options))];
        if (_algorithms.Length == 0 || _algorithms.Distinct(StringComparer.Ordinal).Count() != _algorithms.Length)
        {
            throw new ArgumentException("FakeOpenIdProviderOptions.SigningAlgorithms must name at least one algorithm, each once.", nameof(options));
        }

        if (_algorithms.FirstOrDefault(a => a is not (FakeSigningKey.RS256 or FakeSigningKey.ES256 or FakeSigningKey.EdDSA)) is { } unsupported)
        {
            throw new ArgumentException(
                $"FakeOpenIdProviderOptions.SigningAlgorithms: '{unsupported}' is not supported; use RS256, ES256 or EdDSA.", nameof(options));
        }

        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "FakeOpenIdProviderOptions.Port must be 0 (a free port) or a port number up to 65535.");
        }

        if ((options.ClientId is null) != (options.ClientSecret is null))
        {
            throw new ArgumentException("FakeOpenIdProviderOptions.ClientId and ClientSecret must be set together.", nameof(options));
        }

        var prefix = (options.PathPrefix ?? string.Empty).TrimEnd('/');
        if (prefix.Length > 0 && prefix[0] != '/')
        {
            prefix = "/" + prefix;
        }

        Array.Fill(_faults, Fault.None);
        _keys = NewKeySet(previous: null);

        _server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [$"http://127.0.0.1:{options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}"],
            StartAdminInterface = false,
            Logger = new WireMockNullLogger(),
            MaxRequestLogCount = 1000,
            PreWireMockMiddlewareInit = app => ((IApplicationBuilder)app).Use(FaultsAndCountsAsync),
        });

        // Always the loopback address (WireMock names a fixed port "localhost", which may resolve to ::1).
        Issuer = "http://127.0.0.1:" + new Uri(_server.Url!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + prefix;
        DiscoveryEndpoint = Issuer + "/.well-known/openid-configuration";
        JwksUri = Issuer + "/jwks";
        UserInfoEndpoint = Issuer + "/userinfo";
        IntrospectionEndpoint = options.ClientId is null ? null : Issuer + "/introspect";
        _paths = [.. new[] { DiscoveryEndpoint, JwksUri, UserInfoEndpoint, Issuer + "/introspect" }.Select(url => new Uri(url).AbsolutePath)];

        var discovery = DiscoveryDocument().ToJsonString();
        Map(FakeOpenIdEndpoint.Discovery, "GET", _ => Json(200, discovery));
        Map(FakeOpenIdEndpoint.Jwks, "GET", _ => Json(200, _keys.Jwks));
        Map(FakeOpenIdEndpoint.UserInfo, "GET", UserInfo);
        Map(FakeOpenIdEndpoint.UserInfo, "POST", UserInfo);
        if (IntrospectionEndpoint is not null)
        {
            Map(FakeOpenIdEndpoint.Introspection, "POST", Introspect);
        }
    }

    /// <summary>The issuer, <c>http://127.0.0.1:PORT</c> followed by the path prefix, without a trailing slash.</summary>
    public string Issuer { get; }

    /// <summary>The URL of the discovery document.</summary>
    public string DiscoveryEndpoint { get; }

    /// <summary>The URL of the JSON Web Key Set.</summary>
    public string JwksUri { get; }

    /// <summary>The URL of the userinfo endpoint.</summary>
    public string UserInfoEndpoint { get; }

    /// <summary>The URL of the introspection endpoint, or <see langword="null"/> when no client credentials were configured.</summary>
    public string? IntrospectionEndpoint { get; }

    /// <summary>
    /// The underlying WireMock server, for tests that need documents the fake does not serve
    /// (see <see cref="BuiltInMappingPriority"/>). Counters and simulated faults apply to its mappings too.
    /// </summary>
    public WireMockServer Server => _server;

    /// <summary>The current signing keys, one per configured algorithm, in the order they are published.</summary>
    public IReadOnlyList<FakeSigningKey> SigningKeys => _keys.Current;

    /// <summary>Starts a provider on a free port of 127.0.0.1.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults (no path prefix, no introspection, all algorithms).</param>
    /// <returns>The running provider; dispose it to stop it.</returns>
    public static FakeOpenIdProvider Start(FakeOpenIdProviderOptions? options = null) => new(options ?? new FakeOpenIdProviderOptions());

    /// <summary>The current signing key for an algorithm.</summary>
    /// <param name="algorithm"><c>RS256</c>, <c>ES256</c> or <c>EdDSA</c>.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The provider has no key for <paramref name="algorithm"/>.</exception>
    public FakeSigningKey GetSigningKey(string algorithm) =>
        _keys.Current.FirstOrDefault(k => k.Algorithm == algorithm)
        ?? throw new ArgumentException($"The provider has no {algorithm} key; add it to FakeOpenIdProviderOptions.SigningAlgorithms.", nameof(algorithm));

    /// <summary>
    /// Mints a signed JWT access token for a user. The provider's userinfo and introspection
    /// endpoints recognise it until it expires or is revoked.
    /// </summary>
    /// <param name="user">The user.</param>
    /// <param name="options">How to mint it; <see langword="null"/> for an RS256 token with <c>kid</c>, valid for one hour.</param>
    /// <returns>The compact JWS.</returns>
    public string CreateJwt(FakeUser user, FakeTokenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        options ??= new FakeTokenOptions();
        var key = GetSigningKey(options.Algorithm);
        var record = Record(user, options);

        var payload = new JsonObject { ["iss"] = record.Issuer, ["sub"] = user.Subject };
        if (record.Audiences.Length > 0)
        {
            payload["aud"] = record.Audiences.Length == 1 ? record.Audiences[0] : new JsonArray([.. record.Audiences.Select(a => (JsonNode)a)]);
        }

        AddTimes(payload, record);
        payload["jti"] = RandomSuffix();
        if (record.ClientId is not null)
        {
            payload["client_id"] = record.ClientId;
        }

        if (record.Scope is not null)
        {
            payload["scope"] = record.Scope;
        }

        if (options.IncludeUserClaims)
        {
            foreach (var (name, value) in record.UserClaims)
            {
                payload[name] = value?.DeepClone();
            }
        }

        Overlay(payload, record.ExtraClaims);

        var header = new JsonObject { ["alg"] = key.Algorithm, ["typ"] = "at+jwt" };
        if (options.IncludeKeyId)
        {
            header["kid"] = key.KeyId;
        }

        Overlay(header, ToObject(options.HeaderParameters));

        var token = key.SignJws(header, payload);
        _tokens[TokenKey(token)] = record;
        return token;
    }

    /// <summary>
    /// Mints an opaque access token (a random string) that the provider's userinfo and
    /// introspection endpoints recognise until it expires or is revoked.
    /// </summary>
    /// <param name="user">The user.</param>
    /// <param name="lifetime">The time to expiry; <see langword="null"/> for one hour.</param>
    /// <param name="scope">The scope introspection reports; <see langword="null"/> for none.</param>
    /// <returns>The token.</returns>
    public string CreateOpaqueToken(FakeUser user, TimeSpan? lifetime = null, string? scope = null) =>
        CreateOpaqueToken(user, new FakeTokenOptions { Lifetime = lifetime ?? TimeSpan.FromHours(1), Scope = scope });

    /// <summary>
    /// Mints an opaque access token whose introspection reports the times, audiences, scope,
    /// client id, issuer and extra claims of <paramref name="options"/> (the JWT-only settings are ignored).
    /// </summary>
    /// <param name="user">The user.</param>
    /// <param name="options">What introspection reports about the token.</param>
    /// <returns>The token.</returns>
    public string CreateOpaqueToken(FakeUser user, FakeTokenOptions options)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(options);
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        _tokens[TokenKey(token)] = Record(user, options);
        return token;
    }

    /// <summary>Revokes a token: userinfo answers 401 and introspection <c>active: false</c> from now on.</summary>
    /// <param name="token">A token minted by this provider.</param>
    /// <returns>Whether the token was known.</returns>
    public bool RevokeToken(string token) => _tokens.TryRemove(TokenKey(token), out _);

    /// <summary>
    /// Replaces every signing key with a new one (new <c>kid</c>) and publishes the new keys.
    /// Tokens signed before no longer verify against the JWKS unless <paramref name="keepPreviousKeys"/> is set.
    /// </summary>
    /// <param name="keepPreviousKeys">Whether the JWKS still lists the previous keys, after the new ones, as during a graceful rotation.</param>
    public void RotateKeys(bool keepPreviousKeys = false)
    {
        lock (_keysLock)
        {
            var previous = _keys;
            _keys = NewKeySet(keepPreviousKeys ? previous.Current : null);
        }
    }

    /// <summary>How many requests reached an endpoint (also those answered with a simulated fault) since start or the last <see cref="ResetRequestCounts"/>.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <returns>The count.</returns>
    public int RequestCount(FakeOpenIdEndpoint endpoint) => Volatile.Read(ref _counts[(int)endpoint]);

    /// <summary>Sets every request count to zero.</summary>
    public void ResetRequestCounts()
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            Interlocked.Exchange(ref _counts[i], 0);
        }
    }

    /// <summary>Answers every request (or those to one endpoint) with 503 Service Unavailable until <see cref="Restore"/>.</summary>
    /// <param name="endpoint">Only this endpoint; <see langword="null"/> for all paths.</param>
    public void SimulateDown(FakeOpenIdEndpoint? endpoint = null) => SetFault(endpoint, f => f with { StatusCode = 503, Drop = false });

    /// <summary>Answers every request (or those to one endpoint) with 500 Internal Server Error until <see cref="Restore"/>.</summary>
    /// <param name="endpoint">Only this endpoint; <see langword="null"/> for all paths.</param>
    public void SimulateServerErrors(FakeOpenIdEndpoint? endpoint = null) => SetFault(endpoint, f => f with { StatusCode = 500, Drop = false });

    /// <summary>
    /// Closes the connection of every request (or of those to one endpoint) without any response,
    /// as a crashed or unreachable provider does, until <see cref="Restore"/>. Clients see a
    /// <see cref="HttpRequestException"/>.
    /// </summary>
    /// <param name="endpoint">Only this endpoint; <see langword="null"/> for all paths.</param>
    public void SimulateUnreachable(FakeOpenIdEndpoint? endpoint = null) => SetFault(endpoint, f => f with { StatusCode = 0, Drop = true });

    /// <summary>
    /// Delays every response (or those of one endpoint) by a real-time <paramref name="delay"/>
    /// until <see cref="Restore"/>; combines with the other faults. A delayed request ends early
    /// when its client gives up or the provider is disposed.
    /// </summary>
    /// <param name="delay">The delay; positive.</param>
    /// <param name="endpoint">Only this endpoint; <see langword="null"/> for all paths.</param>
    public void SimulateSlow(TimeSpan delay, FakeOpenIdEndpoint? endpoint = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(delay, TimeSpan.Zero);
        SetFault(endpoint, f => f with { Delay = delay });
    }

    /// <summary>
    /// Answers one endpoint (any method) with a fixed JSON document instead of the built-in one until
    /// <see cref="Restore"/>, e.g. a discovery document naming another issuer or a JWKS without
    /// <c>kid</c>s. Calling it again for the same endpoint replaces the document.
    /// </summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="json">The response body, served as <c>application/json</c>.</param>
    /// <param name="statusCode">The HTTP status code. Default: 200.</param>
    public void ServeDocument(FakeOpenIdEndpoint endpoint, string json, int statusCode = 200)
    {
        ArgumentNullException.ThrowIfNull(json);
        _server
            .Given(Request.Create().WithPath(_paths[(int)endpoint]))
            .WithGuid(_documentMappings[(int)endpoint])
            .AtPriority(BuiltInMappingPriority - 1)
            .RespondWith(Response.Create().WithCallback(_ => Json(statusCode, json)));
    }

    /// <summary>Ends every simulated fault and every document set with <see cref="ServeDocument"/>: the provider answers normally again.</summary>
    public void Restore()
    {
        SetFault(null, _ => Fault.None);
        foreach (var mapping in _documentMappings)
        {
            _server.DeleteMapping(mapping);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        // Cancelled, not disposed: a request still in the middleware may link to its token.
        _disposed.Cancel();
        _server.Stop();
        _server.Dispose();
        lock (_keysLock)
        {
            _allKeys.ForEach(k => k.Release());
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static string RandomSuffix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        _ => JsonSerializer.SerializeToNode(value, value.GetType()),
    };

    // Sets each member of overlay on target; a null member removes it instead.
    private static void Overlay(JsonObject target, JsonObject overlay)
    {
        foreach (var (name, value) in overlay)
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }

    private static void AddTimes(JsonObject target, IssuedToken record)
    {
        if (record.ExpiresAt is { } exp)
        {
            target["exp"] = exp.ToUnixTimeSeconds();
        }

        if (record.NotBefore is { } nbf)
        {
            target["nbf"] = nbf.ToUnixTimeSeconds();
        }

        target["iat"] = record.IssuedAt.ToUnixTimeSeconds();
    }

    private static ResponseMessage Json(int status, JsonNode body) => Json(status, body.ToJsonString());

    private static ResponseMessage Json(int status, string body)
    {
        var response = new ResponseMessage
        {
            StatusCode = status,
            BodyData = new BodyData
            {
                BodyAsString = body,
                DetectedBodyType = BodyType.String,
                Encoding = Encoding.UTF8,
            },
        };
        response.AddHeader("Content-Type", JsonContentType);
        return response;
    }

    private static ResponseMessage Unauthorized(string challenge, string error)
    {
        var response = Json(401, new JsonObject { ["error"] = error });
        response.AddHeader("WWW-Authenticate", challenge);
        return response;
    }

    private static string? Header(IRequestMessage request, string name) =>
        request.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    private DateTimeOffset Now() => _options.TimeProvider.GetUtcNow();

    // Tokens are kept only as SHA-256 hashes, like everything else in Flaat.
    private static string TokenKey(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static JsonObject ToObject(IEnumerable<KeyValuePair<string, object?>> claims, string? skip = null)
    {
        var result = new JsonObject();
        foreach (var (name, value) in claims)
        {
            if (name != skip)
            {
                result[name] = ToNode(value);
            }
        }

        return result;
    }

    private IssuedToken Record(FakeUser user, FakeTokenOptions options)
    {
        var issuedAt = options.IssuedAt ?? Now();
        var extra = ToObject(options.Claims);
        if (options.DpopKey is { } dpopKey)
        {
            extra["cnf"] = new JsonObject { ["jkt"] = dpopKey.Thumbprint };
        }

        return new IssuedToken(
            user.Subject,
            ToObject(user.Claims, skip: "sub"),
            extra,
            issuedAt,
            options.IncludeExpiry ? options.ExpiresAt ?? issuedAt + options.Lifetime : null,
            options.NotBefore,
            options.Scope,
            options.ClientId ?? _options.ClientId,
            [.. options.Audiences],
            options.Issuer ?? Issuer);
    }

    private KeySet NewKeySet(IReadOnlyList<FakeSigningKey>? previous)
    {
        var generation = Interlocked.Increment(ref _keyGeneration);
        var current = _algorithms
            .Select(alg => FakeSigningKey.Create(alg, $"{alg.ToLowerInvariant()}-{generation}-{RandomSuffix()}"))
            .ToArray();
        lock (_keysLock)
        {
            _allKeys.AddRange(current);
        }

        FakeSigningKey[] published = previous is null ? current : [.. current, .. previous];
        return new KeySet(current, JwksDocument(published).ToJsonString());
    }

    private JsonObject DiscoveryDocument()
    {
        var doc = new JsonObject
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = JwksUri,
            ["userinfo_endpoint"] = UserInfoEndpoint,
        };
        if (IntrospectionEndpoint is not null)
        {
            doc["introspection_endpoint"] = IntrospectionEndpoint;
            doc["introspection_endpoint_auth_methods_supported"] = new JsonArray("client_secret_basic");
        }

        doc["response_types_supported"] = new JsonArray("code");
        doc["subject_types_supported"] = new JsonArray("public");
        doc["id_token_signing_alg_values_supported"] = new JsonArray([.. _algorithms.Select(a => (JsonNode)a)]);
        doc["scopes_supported"] = new JsonArray("openid", "profile", "email");
        return doc;
    }

    private JsonObject JwksDocument(IEnumerable<FakeSigningKey> published)
    {
        var p = RsaKeyPool.EncryptionKey.ExportParameters(includePrivateParameters: false);
        var keys = new JsonArray
        {
            new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "enc",
                ["alg"] = "RSA-OAEP",
                ["kid"] = _encryptionKeyId,
                ["n"] = Base64Url.EncodeToString(p.Modulus),
                ["e"] = Base64Url.EncodeToString(p.Exponent),
            },
        };
        foreach (var key in published)
        {
            keys.Add(key.ToJsonWebKey());
        }

        return new JsonObject { ["keys"] = keys };
    }

    private IssuedToken? Active(string? token)
    {
        if (token is null || !_tokens.TryGetValue(TokenKey(token), out var record))
        {
            return null;
        }

        var now = Now();
        return (record.ExpiresAt is { } exp && now >= exp) || (record.NotBefore is { } nbf && now < nbf) ? null : record;
    }

    private ResponseMessage UserInfo(IRequestMessage request)
    {
        var authorization = Header(request, "Authorization");
        if (authorization is null || !AuthenticationHeaderValue.TryParse(authorization, out var value)
            || !string.Equals(value.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return Unauthorized("Bearer", "invalid_request");
        }

        if (Active(value.Parameter) is not { } record)
        {
            return Unauthorized("Bearer error=\"invalid_token\"", "invalid_token");
        }

        if (record.ExtraClaims.ContainsKey("cnf"))
        {
            // A DPoP-bound token without a proof of the client's key, as oidc-provider answers it.
            return Unauthorized("DPoP error=\"invalid_token\", algs=\"ES256 RS256 EdDSA\"", "invalid_token");
        }

        var body = new JsonObject { ["sub"] = record.Subject };
        foreach (var (name, claim) in record.UserClaims)
        {
            body[name] = claim?.DeepClone();
        }

        return Json(200, body);
    }

    private ResponseMessage Introspect(IRequestMessage request)
    {
        if (!ClientAuthenticated(Header(request, "Authorization")))
        {
            return Unauthorized("Basic realm=\"introspection\"", "invalid_client");
        }

        var form = QueryHelpers.ParseQuery(request.Body ?? string.Empty);
        if (!form.TryGetValue("token", out var tokens) || string.IsNullOrEmpty(tokens.ToString()))
        {
            return Json(400, new JsonObject { ["error"] = "invalid_request" });
        }

        if (Active(tokens.ToString()) is not { } record)
        {
            return Json(200, new JsonObject { ["active"] = false });
        }

        var body = new JsonObject { ["active"] = true };
        foreach (var (name, claim) in record.UserClaims)
        {
            body[name] = claim?.DeepClone();
        }

        body["sub"] = record.Subject;
        body["iss"] = record.Issuer;
        body["client_id"] = record.ClientId;
        body["token_type"] = record.ExtraClaims.ContainsKey("cnf") ? "DPoP" : "Bearer";
        if (record.Scope is not null)
        {
            body["scope"] = record.Scope;
        }

        if (record.Audiences.Length > 0)
        {
            body["aud"] = record.Audiences.Length == 1 ? record.Audiences[0] : new JsonArray([.. record.Audiences.Select(a => (JsonNode)a)]);
        }

        AddTimes(body, record);
        Overlay(body, record.ExtraClaims);

        return Json(200, body);
    }

    private bool ClientAuthenticated(string? authorization)
    {
        if (authorization is null || !AuthenticationHeaderValue.TryParse(authorization, out var value)
            || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        // RFC 6749 2.3.1: id and secret are form-encoded before Basic encoding; accept both forms.
        var id = decoded[..colon];
        var secret = decoded[(colon + 1)..];
        return (id == _options.ClientId && secret == _options.ClientSecret)
            || (Uri.UnescapeDataString(id.Replace('+', ' ')) == _options.ClientId
                && Uri.UnescapeDataString(secret.Replace('+', ' ')) == _options.ClientSecret);
    }

    private void Map(FakeOpenIdEndpoint endpoint, string method, Func<IRequestMessage, ResponseMessage> handler) =>
        _server
            .Given(Request.Create().WithPath(_paths[(int)endpoint]).UsingMethod(method))
            .AtPriority(BuiltInMappingPriority)
            .RespondWith(Response.Create().WithCallback(handler));

    private void SetFault(FakeOpenIdEndpoint? endpoint, Func<Fault, Fault> change)
    {
        lock (_faults)
        {
            if (endpoint is { } only)
            {
                _faults[(int)only] = change(_faults[(int)only]);
                return;
            }

            for (var i = 0; i < _faults.Length; i++)
            {
                _faults[i] = change(_faults[i]);
            }
        }
    }

    private async Task FaultsAndCountsAsync(HttpContext context, Func<Task> next)
    {
        var index = Array.IndexOf(_paths, context.Request.Path.Value);
        if (index < 0)
        {
            index = EndpointCount;
        }
        else
        {
            Interlocked.Increment(ref _counts[index]);
        }

        var fault = Volatile.Read(ref _faults[index]);
        if (fault.Delay > TimeSpan.Zero)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _disposed.Token);
            try
            {
                await Task.Delay(fault.Delay, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The client gave up or the provider is being disposed: end this request, nothing to rethrow to.
                context.Abort();
                return;
            }
        }

        if (fault.Drop)
        {
            context.Abort();
        }
        else if (fault.StatusCode != 0)
        {
            context.Response.StatusCode = fault.StatusCode;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(fault.StatusCode == 503 ? "Service Unavailable (simulated)" : "Internal Server Error (simulated)", context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            await next().ConfigureAwait(false);
        }
    }

    private sealed record IssuedToken(string Subject, JsonObject UserClaims, JsonObject ExtraClaims, DateTimeOffset IssuedAt, DateTimeOffset? ExpiresAt,
        DateTimeOffset? NotBefore, string? Scope, string? ClientId, string[] Audiences, string Issuer);

    private sealed record KeySet(IReadOnlyList<FakeSigningKey> Current, string Jwks);

    private sealed record Fault(int StatusCode, bool Drop, TimeSpan Delay)
    {
        public static readonly Fault None = new(0, false, TimeSpan.Zero);
    }
}
