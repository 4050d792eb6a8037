using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Flaat.Testing;

namespace Flaat.Tests.Core;

/// <summary>Helpers shared by the engine's tests: options for fake OPs, JWS crafting, odd documents.</summary>
internal static class EngineTestKit
{
    /// <summary>
    /// Options trusting the given fake OPs. The time limits are generous (not the 1.2 s/3 s defaults): a cold
    /// WireMock on a loaded 2-core machine can take longer than that, and a test not about time limits must
    /// not turn into a 503. Tests about time limits set their own.
    /// </summary>
    public static FlaatOptions OptionsFor(params FakeOpenIdProvider[] ops)
    {
        var options = new FlaatOptions { RequestTimeout = TimeSpan.FromSeconds(10) };
        options.Probing.Deadline = TimeSpan.FromSeconds(10);
        foreach (var op in ops)
        {
            options.TrustedIssuers.Add(op.Issuer);
        }

        return options;
    }

    /// <summary>
    /// Signs a compact JWS with any signer: for algorithms the fake OP has no keys for (PS*, ES384,
    /// ES512, ES256K, RS384/512) and for tokens no key signs (alg none, HMAC confusion).
    /// </summary>
    public static string Sign(JsonObject header, JsonObject payload, Func<byte[], byte[]> signer)
    {
        var input = B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        return input + "." + B64(signer(Encoding.ASCII.GetBytes(input)));
    }

    public static string B64(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    public static JsonObject Payload(string issuer, string subject = "alice", TimeSpan? lifetime = null, DateTimeOffset? now = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        return new JsonObject
        {
            ["iss"] = issuer,
            ["sub"] = subject,
            ["iat"] = at.ToUnixTimeSeconds(),
            ["exp"] = (at + (lifetime ?? TimeSpan.FromHours(1))).ToUnixTimeSeconds(),
        };
    }

    /// <summary>Replaces the fake OP's JWKS with the given keys.</summary>
    public static void ServeJwks(FakeOpenIdProvider op, params JsonObject[] keys)
    {
        var jwks = new JsonObject { ["keys"] = new JsonArray(keys.Select(k => (JsonNode)k.DeepClone()).ToArray()) };
        op.ServeDocument(FakeOpenIdEndpoint.Jwks, jwks.ToJsonString());
    }

    public static JsonObject RsaJwk(RSA rsa, string kid, string? alg = null, string use = "sig")
    {
        var p = rsa.ExportParameters(false);
        var jwk = new JsonObject { ["kty"] = "RSA", ["kid"] = kid, ["use"] = use, ["n"] = B64(p.Modulus), ["e"] = B64(p.Exponent) };
        if (alg is not null)
        {
            jwk["alg"] = alg;
        }

        return jwk;
    }

    public static JsonObject EcJwk(ECDsa ec, string kid, string crv)
    {
        var p = ec.ExportParameters(false);
        return new JsonObject { ["kty"] = "EC", ["kid"] = kid, ["crv"] = crv, ["x"] = B64(p.Q.X), ["y"] = B64(p.Q.Y) };
    }
}
