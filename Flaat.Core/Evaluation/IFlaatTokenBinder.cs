namespace Flaat.Evaluation;

/// <summary>
/// A check that the token is used by the one it was issued to: the place where a DPoP proof or a
/// client certificate (mTLS, RFC 8705) is compared with the token's confirmation claim. The
/// <see cref="FlaatEvaluator"/> runs every binder after authentication and before any requirement,
/// on every request — also when the token's user infos come from the cache.
/// </summary>
/// <remarks>
/// Binders run on the hot path: answer synchronously where possible (a completed
/// <see cref="ValueTask{TResult}"/> costs nothing). A <see cref="FlaatException"/> thrown here
/// becomes a refusal with its status. Under <see cref="FlaatPolicy.OptionalAuthentication"/> a 401
/// from a binder makes the request anonymous, as a rejected token does.
/// </remarks>
public interface IFlaatTokenBinder
{
    /// <summary>Checks that the presented token is bound to this request.</summary>
    /// <param name="context">The token, its authenticated user and the request.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>
    /// <see langword="null"/> when the token may be used here; otherwise the refusal (a 401 with the
    /// <see cref="FlaatError.ChallengeScheme"/> and <see cref="FlaatError.ChallengeError"/> the client
    /// must see, say).
    /// </returns>
    ValueTask<FlaatError?> BindAsync(TokenBindingContext context, CancellationToken cancellationToken);
}

/// <summary>What a <see cref="IFlaatTokenBinder"/> checks: one authenticated token in one request.</summary>
public readonly struct TokenBindingContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="token">The token as presented (with its scheme, proof and source).</param>
    /// <param name="userInfos">The token's authenticated user infos (JWT claims such as <c>cnf</c>, introspection).</param>
    /// <param name="request">The adapter's request object (<c>HttpContext</c>, <c>ServerCallContext</c>, or what a direct caller passed).</param>
    public TokenBindingContext(PresentedToken token, UserInfos userInfos, object? request)
        : this(token, userInfos, request, null)
    {
    }

    /// <summary>Creates the context with the endpoint's policy.</summary>
    /// <param name="token">The token as presented (with its scheme, proof and source).</param>
    /// <param name="userInfos">The token's authenticated user infos (JWT claims such as <c>cnf</c>, introspection).</param>
    /// <param name="request">The adapter's request object (<c>HttpContext</c>, <c>ServerCallContext</c>, or what a direct caller passed).</param>
    /// <param name="policy">What the endpoint demands (its DPoP mode, say); <see langword="null"/> when unknown.</param>
    public TokenBindingContext(PresentedToken token, UserInfos userInfos, object? request, FlaatPolicy? policy)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(userInfos);
        Token = token;
        UserInfos = userInfos;
        Request = request;
        Policy = policy;
    }

    /// <summary>What the endpoint demands; <see langword="null"/> when unknown.</summary>
    public FlaatPolicy? Policy { get; }

    /// <summary>The token as presented.</summary>
    public PresentedToken Token { get; }

    /// <summary>The authenticated user infos of the token.</summary>
    public UserInfos UserInfos { get; }

    /// <summary>The adapter's request object.</summary>
    public object? Request { get; }
}
