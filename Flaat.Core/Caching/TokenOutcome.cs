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
/// from outside the process has an <see cref="AccessTokenInfo.Signature"/> that is empty. An outcome
/// read from outside is checked before it is served, and is a miss (the OP is asked) when it fails:
/// its <see cref="ConfigurationFingerprint"/> must be the engine's, a success must name an issuer the
/// engine trusts, hold a userinfo object and not outlive the claims' <c>exp</c>, a refusal must have
/// a 4xx/5xx status and an error name; neither is served beyond the engine's own cache lifetimes.
/// </remarks>
public sealed class TokenOutcome
{
    // Marks an outcome read from outside that this engine does not serve.
    private static readonly AuthenticationResult Unusable = AuthenticationResult.Failure(new FlaatError(500, FlaatException.DefaultErrorName, "Unusable cached outcome"));

    private AuthenticationResult? _result;

    // Until when (UTC ticks) the result may be served; written before _result is published.
    private long _usableUntil;

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

    /// <summary>
    /// The fingerprint of the settings of the engine that stored this outcome (its trusted issuers and
    /// their audiences and token types, <see cref="FlaatOptions.VerifyJwt"/>,
    /// <see cref="FlaatOptions.TokenClaimsSuffice"/>, the clock skew, the post-processors); an engine
    /// serves only outcomes with its own, so engines configured otherwise can share one store. Set by
    /// the engine; a cache keeps and returns it unchanged.
    /// </summary>
    public string? ConfigurationFingerprint { get; init; }

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

    /// <summary>
    /// The result the engine built for, or from, this outcome, kept beside it so a cache hit builds
    /// nothing; <see langword="null"/> when it may not be served at <paramref name="now"/> (an outcome
    /// from outside that fails <paramref name="rules"/>, or past its usable time).
    /// </summary>
    internal AuthenticationResult? ResultAt(DateTimeOffset now, OutcomeRules rules)
    {
        var result = Volatile.Read(ref _result) ?? Build(now, rules);
        return ReferenceEquals(result, Unusable) || Volatile.Read(ref _usableUntil) <= now.UtcTicks ? null : result;
    }

    /// <summary>Records a result the engine built (with its claims after post-processing).</summary>
    internal static TokenOutcome From(AuthenticationResult result, string? issuer, DateTimeOffset expiresAt, string fingerprint)
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
                ConfigurationFingerprint = fingerprint,
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
                ConfigurationFingerprint = fingerprint,
            };
        }

        outcome._usableUntil = expiresAt.UtcTicks;
        outcome._result = result;
        return outcome;
    }

    private AuthenticationResult Build(DateTimeOffset now, OutcomeRules rules)
    {
        var (built, until) = Read(now, rules) ?? (Unusable, 0L);

        // Two readers may build at once; one result wins and is kept.
        Volatile.Write(ref _usableUntil, until);
        return Interlocked.CompareExchange(ref _result, built, null) ?? built;
    }

    /// <summary>The result of an outcome read from outside and until when it may be served; <see langword="null"/> when it is not usable.</summary>
    private (AuthenticationResult Result, long UsableUntil)? Read(DateTimeOffset now, OutcomeRules rules)
    {
        if (StatusCode is { } status)
        {
            // A refusal read from outside is served no longer than this engine would remember it.
            return status is >= 400 and <= 599 && !string.IsNullOrEmpty(Error)
                ? (AuthenticationResult.Failure(new FlaatError(status, Error, ErrorDescription ?? string.Empty) { ChallengeError = ChallengeError }), Earliest(ExpiresAt, now + rules.RejectionLifetime))
                : null;
        }

        if (string.IsNullOrEmpty(Issuer) || !rules.Trusts(Issuer) || UserInfo is not { } userInfo)
        {
            return null;
        }

        // A value from outside is read as strictly as an OP's answer: objects only, no repeated
        // member, every string readable; anything else is a miss, never an exception.
        JsonElement? header = null, body = null, introspection = null;
        if (ParseObject(userInfo) is not { } claims
            || (TokenBody is not null && ((header = ParseObject(TokenHeader ?? "{}")) is null || (body = ParseObject(TokenBody)) is null))
            || (Introspection is not null && (introspection = ParseObject(Introspection)) is null))
        {
            return null;
        }

        UserInfos infos;
        try
        {
            var token = body is { } payload ? new AccessTokenInfo(header!.Value, payload, string.Empty, VerificationAlgorithm) : null;
            infos = new UserInfos(
                token,
                ClaimSet.From(claims, nameof(UserInfo)),
                introspection is { } answer ? ClaimSet.From(answer, nameof(Introspection)) : null);
        }
        catch (ArgumentException)
        {
            return null;
        }

        // The user's issuer is the OP asked; the claims must not outlive their exp (a JWT's own, and
        // the introspection's), whatever ExpiresAt a cache wrote.
        if (!IssuerUrl.AreSame(infos.Issuer, Issuer)
            || !Within(infos.AccessTokenInfo?.Body, now, rules.ClockSkew)
            || !Within(infos.IntrospectionInfo, now, rules.ClockSkew))
        {
            return null;
        }

        return (AuthenticationResult.Success(infos, IsTokenOnly), Earliest(ExpiresAt, now + rules.MaxLifetime));
    }

    private bool Within(IReadOnlyDictionary<string, JsonElement>? claims, DateTimeOffset now, TimeSpan clockSkew)
    {
        if (claims is null || !claims.TryGetValue("exp", out var value))
        {
            return true;
        }

        return NumericDate.Read(value) is { } exp && exp + clockSkew > now && ExpiresAt <= exp + clockSkew;
    }

    private static long Earliest(DateTimeOffset first, DateTimeOffset second) => (first < second ? first : second).UtcTicks;

    private static JsonElement? ParseObject(string json) =>
        ReadableJson.ParseObject(System.Text.Encoding.UTF8.GetBytes(json), out var root) == ReadableJson.Problem.None ? root : null;

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
