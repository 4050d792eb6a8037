using System.Text.Json;

namespace Flaat.Caching;

/// <summary>
/// What the engine learned about one token, as plain data that <c>System.Text.Json</c> can store and
/// read back: the user's claims (the issuer, the JWT's header and body, the userinfo and introspection
/// answers, as JSON text) or the refusal, and until when it may be used. Never the token itself, nor
/// its signature. Kept by an <see cref="IFlaatTokenCache"/>.
/// </summary>
/// <remarks>
/// Claims are stored after the post-processors ran (<see cref="IUserInfosPostProcessor"/>); the user
/// infos are rebuilt from them without running them again. A user infos rebuilt from an outcome read
/// from outside the process has an <see cref="AccessTokenInfo.Signature"/> that is empty.
/// </remarks>
public sealed class TokenOutcome
{
    private AuthenticationResult? _result;

    // The user infos the engine built this outcome from: the JSON texts are written from them only when
    // read (by a cache that stores them elsewhere), so the in-memory default never writes them.
    private UserInfos? _source;
    private string? _tokenHeader;
    private string? _tokenBody;
    private string? _userInfo;
    private string? _introspection;

    /// <summary>The issuer the user belongs to (the OP asked, normalised); <see langword="null"/> for a refusal.</summary>
    public string? Issuer { get; init; }

    /// <summary>The JWT's JOSE header as a JSON object; <see langword="null"/> for an opaque token or a refusal.</summary>
    public string? TokenHeader
    {
        get => _tokenHeader ??= _source?.AccessTokenInfo is { } token ? Write(token.Header) : null;
        init => _tokenHeader = value;
    }

    /// <summary>The JWT's payload as a JSON object; <see langword="null"/> for an opaque token or a refusal.</summary>
    public string? TokenBody
    {
        get => _tokenBody ??= _source?.AccessTokenInfo is { } token ? Write(token.Body) : null;
        init => _tokenBody = value;
    }

    /// <summary>The algorithm the JWT's signature was verified with; <see langword="null"/> when it was not verified.</summary>
    public string? VerificationAlgorithm { get; init; }

    /// <summary>The userinfo claims as a JSON object (<c>{}</c> when the OP was not asked); <see langword="null"/> for a refusal.</summary>
    public string? UserInfo
    {
        get => _userInfo ??= _source is { } infos ? Write(infos.UserInfo) : null;
        init => _userInfo = value;
    }

    /// <summary>The introspection answer as a JSON object; <see langword="null"/> when the OP was not asked, or for a refusal.</summary>
    public string? Introspection
    {
        get => _introspection ??= _source?.IntrospectionInfo is { } claims ? Write(claims) : null;
        init => _introspection = value;
    }

    /// <summary>Until when the outcome may be used (the token's expiry at the latest).</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Whether the claims come from the verified JWT alone (offline mode), without the OP's userinfo.</summary>
    public bool IsTokenOnly { get; init; }

    /// <summary>The refusal's HTTP status (401); <see langword="null"/> for an accepted token.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The refusal's error name.</summary>
    public string? Error { get; init; }

    /// <summary>The refusal's description.</summary>
    public string? ErrorDescription { get; init; }

    /// <summary>The refusal's RFC 6750 challenge error code (see <see cref="FlaatError.ChallengeError"/>).</summary>
    public string? ChallengeError { get; init; }

    /// <summary>The result the engine built for, or from, this outcome; kept beside it so a cache hit builds nothing.</summary>
    internal AuthenticationResult Result => Volatile.Read(ref _result) ?? Build();

    /// <summary>Records a result the engine built (with its claims after post-processing).</summary>
    internal static TokenOutcome From(AuthenticationResult result, string? issuer, DateTimeOffset expiresAt)
    {
        TokenOutcome outcome;
        if (result.UserInfos is { } infos)
        {
            outcome = new TokenOutcome
            {
                Issuer = issuer,
                VerificationAlgorithm = infos.AccessTokenInfo?.VerificationAlgorithm,
                ExpiresAt = expiresAt,
                IsTokenOnly = result.IsTokenOnly,
                _source = infos,
            };
        }
        else
        {
            var error = result.Error!;
            outcome = new TokenOutcome
            {
                ExpiresAt = expiresAt,
                StatusCode = error.StatusCode,
                Error = error.Error,
                ErrorDescription = error.Description,
                ChallengeError = error.ChallengeError,
            };
        }

        outcome._result = result;
        return outcome;
    }

    private AuthenticationResult Build()
    {
        AuthenticationResult built;
        if (StatusCode is { } status)
        {
            built = AuthenticationResult.Failure(new FlaatError(status, Error ?? FlaatException.DefaultErrorName, ErrorDescription ?? string.Empty) { ChallengeError = ChallengeError });
        }
        else
        {
            var token = TokenBody is { } body
                ? new AccessTokenInfo(Parse(TokenHeader ?? "{}"), Parse(body), string.Empty, VerificationAlgorithm)
                : null;
            var infos = new UserInfos(
                token,
                ClaimSet.From(Parse(UserInfo ?? "{}"), nameof(UserInfo)),
                Introspection is { } introspection ? ClaimSet.From(Parse(introspection), nameof(Introspection)) : null);
            built = AuthenticationResult.Success(infos, IsTokenOnly);
        }

        // Two readers may build at once; one result wins and is kept.
        return Interlocked.CompareExchange(ref _result, built, null) ?? built;
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string Write(IReadOnlyDictionary<string, JsonElement> claims)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ClaimSet.WriteSorted(writer, claims);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
