using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flaat.Caching;
using Microsoft.AspNetCore.DataProtection;

namespace Flaat.Redis;

/// <summary>
/// The stored form of what the shared cache keeps (version 1): a token's <see cref="TokenOutcome"/> and
/// a probed token's issuer, as JSON written by a source-generated serialiser, behind a three-byte
/// header (<c>F1p</c> protected with ASP.NET Core Data Protection, <c>F1j</c> plain JSON for an
/// application without it). A replica reads only the form it writes: with Data Protection, a plain value
/// (which anyone with write access to Redis could forge) is a miss.
/// </summary>
/// <remarks>
/// Reading never throws: a value with another header or version, one that does not unprotect (another
/// key ring), does not parse, repeats a member or lacks one is <see langword="null"/> (a miss). What it
/// says is then checked by the engine as any outcome from outside (issuer trust, fingerprint, expiry,
/// strict JSON of the claims).
/// </remarks>
internal sealed class OutcomeCodec
{
    /// <summary>The version written into every value and into the Data Protection purpose.</summary>
    public const int Version = 1;

    private const byte Magic = (byte)'F';
    private const byte VersionByte = (byte)'1';
    private const byte Protected = (byte)'p';
    private const byte Plain = (byte)'j';

    private readonly IDataProtector? _protector;

    public OutcomeCodec(IDataProtectionProvider? protection)
    {
        _protector = protection?.CreateProtector("Flaat.Redis.TokenCache.v1");
    }

    /// <summary>Whether values are protected with Data Protection.</summary>
    public bool IsProtected => _protector is not null;

    private int _unprotectFailed;

    /// <summary>Whether a value failed to unprotect (another key ring) since the last call; the cache logs it.</summary>
    public bool TakeUnprotectFailure() => Interlocked.Exchange(ref _unprotectFailed, 0) == 1;

    public byte[] Encode(TokenOutcome outcome) => Seal(JsonSerializer.SerializeToUtf8Bytes(
        new StoredOutcome
        {
            V = Version,
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

    public byte[] EncodeIssuer(string issuer) => Seal(JsonSerializer.SerializeToUtf8Bytes(new StoredIssuer { V = Version, Iss = issuer }, StoredJson.Default.StoredIssuer));

    /// <summary>The outcome a stored value holds; <see langword="null"/> for anything else.</summary>
    public TokenOutcome? Decode(ReadOnlySpan<byte> value)
    {
        if (Open(value) is not { } json || Parse(json, StoredJson.Default.StoredOutcome) is not { V: Version, Fp: not null } stored
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

    /// <summary>The issuer a stored value names; <see langword="null"/> for anything else.</summary>
    public string? DecodeIssuer(ReadOnlySpan<byte> value) =>
        Open(value) is { } json && Parse(json, StoredJson.Default.StoredIssuer) is { V: Version, Iss: { Length: > 0 } issuer } ? issuer : null;

    private byte[] Seal(byte[] json)
    {
        var body = _protector is { } protector ? protector.Protect(json) : json;
        var value = new byte[body.Length + 3];
        value[0] = Magic;
        value[1] = VersionByte;
        value[2] = _protector is null ? Plain : Protected;
        body.CopyTo(value, 3);
        return value;
    }

    private byte[]? Open(ReadOnlySpan<byte> value)
    {
        if (value.Length < 4 || value[0] != Magic || value[1] != VersionByte)
        {
            return null;
        }

        if (_protector is not { } protector)
        {
            return value[2] == Plain ? value[3..].ToArray() : null;
        }

        if (value[2] != Protected)
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
