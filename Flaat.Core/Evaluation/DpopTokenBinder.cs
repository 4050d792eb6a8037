using System.Text.Json;
using Flaat.Caching;
using Flaat.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flaat.Evaluation;

/// <summary>
/// Binds DPoP-bound tokens (RFC 9449) to their requests: a token whose <c>cnf.jkt</c> (from the
/// verified JWT, or from the introspection answer of an opaque token) names a key is accepted only
/// with the <c>DPoP</c> scheme and a fresh, valid proof signed with that key, on every request
/// (cache hits included); such a token presented as a bearer token is refused whatever the mode.
/// The modes (<see cref="DpopMode"/>) come from the endpoint's policy, then the issuer's settings,
/// then <c>Flaat:Dpop:Mode</c>. Registered by <c>AddFlaat</c>.
/// </summary>
public sealed partial class DpopTokenBinder : IFlaatTokenBinder
{
    private readonly DpopMode _mode;
    private readonly Dictionary<string, DpopMode> _issuerModes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _algorithms;
    private readonly TimeSpan _lifetime;
    private readonly TimeSpan _futureSkew;
    private readonly string? _publicOrigin;
    private readonly DpopNonces? _nonces;
    private readonly IFlaatReplayCache _replays;
    private readonly DpopKeyQuota _quota;
    private readonly TimeSpan _replayMargin;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _lastStoreWarning = long.MinValue / 2;

    /// <summary>Creates the binder.</summary>
    /// <param name="options">Flaat's settings (<see cref="FlaatOptions.Dpop"/> and the issuers' modes).</param>
    /// <param name="replayCache">Where proof identifiers are remembered; a bounded <see cref="MemoryReplayCache"/> when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; the system's when <see langword="null"/>.</param>
    /// <param name="logger">A logger; none when <see langword="null"/>.</param>
    public DpopTokenBinder(FlaatOptions options, IFlaatReplayCache? replayCache = null, TimeProvider? timeProvider = null, ILogger<DpopTokenBinder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dpop = options.Dpop ?? new FlaatDpopOptions();
        _time = timeProvider ?? TimeProvider.System;
        _mode = dpop.Mode;
        _algorithms = new HashSet<string>(dpop.Algorithms is { Count: > 0 } algorithms ? algorithms : FlaatDpopOptions.DefaultAlgorithms, StringComparer.Ordinal);
        Algorithms = string.Join(' ', _algorithms);
        _lifetime = dpop.ProofLifetime;
        _futureSkew = dpop.ClockSkew;
        _publicOrigin = dpop.PublicOrigin;
        _nonces = dpop.RequireNonce ? new DpopNonces(_time, dpop.ProofLifetime) : null;
        _replays = replayCache ?? new MemoryReplayCache(dpop.MaxReplayEntries, _time);
        // Remembered beyond the last instant the proof is accepted for its age by the clock skew (at
        // least a second): replicas' clocks, and the binder's and the store's readings, may differ by that.
        _replayMargin = dpop.ClockSkew > TimeSpan.FromSeconds(1) ? dpop.ClockSkew : TimeSpan.FromSeconds(1);
        _quota = new DpopKeyQuota(dpop.MaxProofsPerKey ?? Math.Max(1, dpop.MaxReplayEntries / FlaatDpopOptions.KeysToFillReplayCache), _lifetime + _futureSkew + _replayMargin);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        foreach (var issuer in options.Issuers ?? [])
        {
            if (issuer?.Dpop is { } mode && !string.IsNullOrWhiteSpace(issuer.Issuer))
            {
                _issuerModes[IssuerUrl.Normalize(issuer.Issuer)] = mode;
            }
        }
    }

    /// <summary>The accepted proof algorithms, space-separated, as the challenge's <c>algs</c> names them.</summary>
    public string Algorithms { get; }

    /// <inheritdoc/>
    public ValueTask<FlaatError?> BindAsync(TokenBindingContext context, CancellationToken cancellationToken)
    {
        var token = context.Token;
        var user = context.UserInfos;
        var bound = BoundKey(user, out var keyThumbprint);
        if (token.Scheme != DpopToken.Scheme)
        {
            // The bearer path: two claim lookups, no allocation, answered synchronously.
            if (bound)
            {
                return new(Refuse(TokenGrammar.InvalidToken, "The token is DPoP-bound: present it with the DPoP scheme and a proof"));
            }

            return new(ModeOf(context.Policy, user) == DpopMode.Required
                ? Refuse(TokenGrammar.InvalidToken, "This API accepts DPoP-bound tokens only")
                : null);
        }

        if (ModeOf(context.Policy, user) == DpopMode.Disabled)
        {
            return new(Refuse(TokenGrammar.InvalidToken, "The DPoP scheme is not accepted here"));
        }

        if (!bound)
        {
            return new(Refuse(TokenGrammar.InvalidToken, "The token is not DPoP-bound (it has no cnf.jkt): present it with the Bearer scheme"));
        }

        if (keyThumbprint is null)
        {
            return new(Refuse(TokenGrammar.InvalidToken, "The token is DPoP-bound, but its OP does not name the key (cnf.jkt)"));
        }

        if (token.AcceptedProofKey is { } accepted && string.Equals(accepted, keyThumbprint, StringComparison.Ordinal))
        {
            // The same request judged again (authentication scheme, then the endpoint's gate). A DPoP
            // presentation belongs to one request: the adapters' reader chain hands every request its
            // own instance (FlaatTokenReaders), so a reader that keeps tokens per connection cannot
            // let a later request skip its proof.
            return new((FlaatError?)null);
        }

        return CheckProofAsync(token, keyThumbprint, cancellationToken);
    }

    private async ValueTask<FlaatError?> CheckProofAsync(PresentedToken token, string keyThumbprint, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var target = token.ProofUrl is { } url ? DpopTarget.OfRequest(url, _publicOrigin) : null;
        if (token.Proof is not { } text || token.ProofMethod is not { } method || target is null)
        {
            return Refuse(DpopToken.InvalidProof, "A DPoP token needs a DPoP proof for this request");
        }

        var expected = new DpopExpectation(method, target, token.Token!, _algorithms, now, _lifetime, keyThumbprint, _futureSkew);
        if (DpopProof.Check(text, expected, out var problem) is not { } proof)
        {
            if (string.Equals(problem, DpopKey.WrongKey, StringComparison.Ordinal))
            {
                return Refuse(TokenGrammar.InvalidToken, "The DPoP proof is signed with another key than the one the token is bound to");
            }

            LogProofRefused(_logger, problem!);
            return Refuse(DpopToken.InvalidProof, "Invalid DPoP proof: " + problem);
        }

        if (_nonces is not null && !_nonces.IsValid(proof.Nonce))
        {
            return new FlaatError(401, FlaatUnauthenticatedException.ErrorName, proof.Nonce is null ? "A DPoP proof must carry the server's nonce" : "The DPoP proof's nonce is not valid (any more)")
            {
                ChallengeScheme = DpopToken.Scheme,
                ChallengeError = DpopToken.UseNonce,
                DpopNonce = _nonces.Create(),
            };
        }

        if (!string.Equals(proof.Thumbprint, keyThumbprint, StringComparison.Ordinal))
        {
            return Refuse(TokenGrammar.InvalidToken, "The DPoP proof is signed with another key than the one the token is bound to");
        }

        if (!_quota.HasRoom(keyThumbprint, now))
        {
            // One key's flood fills its own share of the replay cache only: that client is refused, not everybody.
            LogKeyOverQuota(_logger, _quota.Quota);
            return Refuse(DpopToken.InvalidProof, $"Too many DPoP proofs from this key within the proof lifetime (at most {_quota.Quota}); try again later");
        }

        bool first;
        try
        {
            // Remembered beyond the last instant the proof is accepted for its age (_replayMargin), so
            // that a store whose expiry is exclusive, coarse or read on another clock is no edge to pass.
            first = await _replays.TryAddAsync(proof.ReplayKey(), proof.IssuedAt + _lifetime + _replayMargin, cancellationToken).ConfigureAwait(false);
        }
        catch (FlaatException e)
        {
            // The store says why it cannot remember (the in-memory one: full of live identifiers). A
            // server condition, not the client's fault nor a replay: 503, logged once a minute at most.
            var last = Volatile.Read(ref _lastStoreWarning);
            if (now.UtcTicks - last >= TimeSpan.TicksPerMinute && Interlocked.CompareExchange(ref _lastStoreWarning, now.UtcTicks, last) == last)
            {
                LogReplayCacheRefused(_logger, e.Message);
            }

            return e.ToError();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogReplayCacheFailed(_logger, e.GetType().Name);
            return FlaatError.Unavailable("The DPoP replay cache cannot be reached");
        }

        if (!first)
        {
            return Refuse(DpopToken.InvalidProof, "Invalid DPoP proof: it was used before (jti)");
        }

        _quota.Count(keyThumbprint, now);

        token.AcceptedProofKey = keyThumbprint;
        return null;
    }

    /// <summary>
    /// Whether the token is DPoP-bound, and to which key: <c>cnf.jkt</c> of the verified JWT, else of
    /// the introspection answer; an introspection answer with <c>token_type</c> <c>DPoP</c> but no
    /// <c>cnf.jkt</c> is bound to a key nobody named. Last, a <c>cnf.jkt</c> of a JWT whose signature
    /// was not verified binds it to no key: enough to refuse the token as Bearer, never to choose the
    /// key a proof must match (a forger would name their own), which fails closed.
    /// </summary>
    internal static bool BoundKey(UserInfos user, out string? thumbprint)
    {
        thumbprint = null;
        if (user.AccessTokenInfo is { IsVerified: true } info && info.Body.TryGetValue("cnf", out var cnf) && Jkt(cnf, out thumbprint))
        {
            return true;
        }

        if (user.IntrospectionInfo is { } introspection)
        {
            if (introspection.TryGetValue("cnf", out cnf) && Jkt(cnf, out thumbprint))
            {
                return true;
            }

            if (introspection.TryGetValue("token_type", out var type) && type.ValueKind == JsonValueKind.String
                && string.Equals(type.GetString(), DpopToken.Scheme, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        // An unverified cnf.jkt is anybody's: it binds the token (refused as Bearer) to no key a proof can match.
        if (user.AccessTokenInfo is { IsVerified: false } unverified && unverified.Body.TryGetValue("cnf", out cnf) && Jkt(cnf, out _))
        {
            thumbprint = null;
            return true;
        }

        return false;
    }

    private static bool Jkt(JsonElement cnf, out string? thumbprint)
    {
        thumbprint = null;
        if (cnf.ValueKind != JsonValueKind.Object || !cnf.TryGetProperty("jkt", out var jkt))
        {
            return false;
        }

        // A jkt that is not a string is still a binding: the token is bound to no key a proof can match.
        thumbprint = jkt.ValueKind == JsonValueKind.String ? jkt.GetString() : null;
        return true;
    }

    /// <summary>The mode for this endpoint and this user's issuer.</summary>
    /// <remarks>
    /// The user's issuer is the trusted OP's normalised name (the engine sets it), so it is looked up
    /// as it is; only a name that is not normal (from a store of another's) is normalised first.
    /// </remarks>
    internal DpopMode ModeOf(FlaatPolicy? policy, UserInfos? user) =>
        policy?.Dpop ?? (user is not null && _issuerModes.Count > 0 && IssuerMode(user.Issuer) is { } mode ? mode : _mode);

    private DpopMode? IssuerMode(string? issuer)
    {
        if (issuer is null)
        {
            return null;
        }

        if (_issuerModes.TryGetValue(issuer, out var mode))
        {
            return mode;
        }

        var normal = IssuerUrl.Normalize(issuer);
        return !ReferenceEquals(normal, issuer) && _issuerModes.TryGetValue(normal, out mode) ? mode : null;
    }

    private static FlaatError Refuse(string code, string description) =>
        new(401, FlaatUnauthenticatedException.ErrorName, description) { ChallengeScheme = DpopToken.Scheme, ChallengeError = code };
}
