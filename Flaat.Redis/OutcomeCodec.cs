using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flaat.Caching;
using Microsoft.AspNetCore.DataProtection;

namespace Flaat.Redis;

/// <summary>
/// The stored form of what the shared cache keeps (version 1): a token's <see cref="TokenOutcome"/> and
/// a probed token's issuer, as JSON written by a source-generated serialiser, protected with ASP.NET
/// Core Data Protection (one purpose per kind and version), behind a three-byte header (<c>F1p</c>).
/// The JSON names the token's hash it belongs to, so a value copied under another token's key is refused.
/// </summary>
/// <remarks>
/// Reading never throws: a value with another header or version, one that does not unprotect (another
/// key ring, or written by anyone without the keys), does not parse, repeats or lacks a member, or
/// belongs to another key is <see langword="null"/> (a miss). What it says is then checked by the
/// engine as any outcome from outside (issuer trust, fingerprint, expiry, strict JSON of the claims).
/// Values are always protected: plain JSON would let anyone who can write to Redis make any token
/// admit any user.
/// </remarks>
internal sealed class OutcomeCodec
{
    /// <summary>The version written into every value and into the Data Protection purposes.</summary>
    public const int Version = 1;

    private const byte Magic = (byte)'F';
    private const byte VersionByte = (byte)'1';
    private const byte Protected = (byte)'p';

    private readonly IDataProtector _outcomes;
    private readonly IDataProtector _issuers;
    private int _unprotectFailed;

    public OutcomeCodec(IDataProtectionProvider protection, string keyPrefix = "flaat:")
    {
        ArgumentNullException.ThrowIfNull(protection);
        // The key prefix is part of the purpose: two apps that share a key ring and an application name
        // but not a prefix cannot read each other's values.
        _outcomes = protection.CreateProtector("Flaat.Redis.TokenOutcome.v1", "prefix=" + keyPrefix);
        _issuers = protection.CreateProtector("Flaat.Redis.TokenIssuer.v1", "prefix=" + keyPrefix);
    }

    /// <summary>Whether a value failed to unprotect (another key ring) since the last call; the cache logs it.</summary>
    public bool TakeUnprotectFailure() => Interlocked.Exchange(ref _unprotectFailed, 0) == 1;

    public byte[] Encode(string key, TokenOutcome outcome) => Seal(_outcomes, JsonSerializer.SerializeToUtf8Bytes(
        new StoredOutcome
        {
            V = Version,
            K = key,
            Iss = outcome.Issuer,
            Hdr = outcome.TokenHeader,
            Body = outcome.TokenBody,
            Alg = outcome.VerificationAlgorithm,
            Ui = outcome.UserInfo,
            Intro = outcome.Introspection,
            Fp = outcome.ConfigurationFingerprint,
            Exp = outcome.ExpiresAt.ToUnixTimeMilliseconds(),
            Only = outcome.IsTokenOnly,
            Status = outcome.StatusCode,
            Err = outcome.Error,
            Desc = outcome.ErrorDescription,
            Chal = outcome.ChallengeError,
        },
        StoredJson.Default.StoredOutcome));

    public byte[] EncodeIssuer(string key, string issuer) =>
        Seal(_issuers, JsonSerializer.SerializeToUtf8Bytes(new StoredIssuer { V = Version, K = key, Iss = issuer }, StoredJson.Default.StoredIssuer));

    /// <summary>The outcome a value stored under <paramref name="key"/> holds; <see langword="null"/> for anything else.</summary>
    public TokenOutcome? Decode(string key, ReadOnlySpan<byte> value)
    {
        if (Open(_outcomes, value) is not { } json || Parse(json, StoredJson.Default.StoredOutcome) is not { V: Version, Fp: not null } stored
            || !string.Equals(stored.K, key, StringComparison.Ordinal)
            || stored.Exp is < 0 or > 253_402_300_799_999)
        {
            return null;
        }

        var success = stored.Status is null;
        if (success ? stored.Iss is null || stored.Ui is null : stored.Err is null)
        {
            return null;
        }

        return new TokenOutcome
        {
            Issuer = stored.Iss,
            TokenHeader = stored.Hdr,
            TokenBody = stored.Body,
            VerificationAlgorithm = stored.Alg,
            UserInfo = stored.Ui,
            Introspection = stored.Intro,
            ConfigurationFingerprint = stored.Fp,
            ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(stored.Exp),
            IsTokenOnly = stored.Only,
            StatusCode = stored.Status,
            Error = stored.Err,
            ErrorDescription = stored.Desc,
            ChallengeError = stored.Chal,
        };
    }

    /// <summary>The issuer a value stored under <paramref name="key"/> names; <see langword="null"/> for anything else.</summary>
    public string? DecodeIssuer(string key, ReadOnlySpan<byte> value) =>
        Open(_issuers, value) is { } json && Parse(json, StoredJson.Default.StoredIssuer) is { V: Version, Iss: { Length: > 0 } issuer } stored
        && string.Equals(stored.K, key, StringComparison.Ordinal)
            ? issuer
            : null;

    private static byte[] Seal(IDataProtector protector, byte[] json)
    {
        var body = protector.Protect(json);
        var value = new byte[body.Length + 3];
        value[0] = Magic;
        value[1] = VersionByte;
        value[2] = Protected;
        body.CopyTo(value, 3);
        return value;
    }

    private byte[]? Open(IDataProtector protector, ReadOnlySpan<byte> value)
    {
        if (value.Length < 4 || value[0] != Magic || value[1] != VersionByte || value[2] != Protected)
        {
            return null;
        }

        try
        {
            return protector.Unprotect(value[3..].ToArray());
        }
        catch (CryptographicException)
        {
            Volatile.Write(ref _unprotectFailed, 1);
            return null;
        }
    }

    private static T? Parse<T>(byte[] json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Version 1 of a stored outcome; short member names (it is written for every token).</summary>
internal sealed class StoredOutcome
{
    public int V { get; set; }

    public string? K { get; set; }

    public string? Iss { get; set; }

    public string? Hdr { get; set; }

    public string? Body { get; set; }

    public string? Alg { get; set; }

    public string? Ui { get; set; }

    public string? Intro { get; set; }

    public string? Fp { get; set; }

    public long Exp { get; set; }

    public bool Only { get; set; }

    public int? Status { get; set; }

    public string? Err { get; set; }

    public string? Desc { get; set; }

    public string? Chal { get; set; }
}

/// <summary>Version 1 of a stored token → issuer memo.</summary>
internal sealed class StoredIssuer
{
    public int V { get; set; }

    public string? K { get; set; }

    public string? Iss { get; set; }
}

/// <summary>The source-generated (trimming- and AOT-safe) serialiser of the stored forms: strict (no repeated or unknown members, no comments).</summary>
[JsonSourceGenerationOptions(
    AllowDuplicateProperties = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(StoredOutcome))]
[JsonSerializable(typeof(StoredIssuer))]
internal sealed partial class StoredJson : JsonSerializerContext;
