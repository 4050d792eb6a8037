namespace Flaat.Tests.EndToEnd;

/// <summary>
/// The OP instances the end-to-end tests share, each started on first use and stopped after the
/// last end-to-end test (see <see cref="EndToEndSetUp"/>):
/// <see cref="TrustedAsync"/> (the OP a protected API trusts), <see cref="ShortLivedAsync"/>
/// (tokens valid for <see cref="ShortLifetime"/>, for expiry tests) and <see cref="UntrustedAsync"/>
/// (an independent OP with its own keys, which no test configures as trusted) and
/// <see cref="ImpostorAsync"/> (an OP that claims the trusted OP's issuer, with its own keys).
/// </summary>
public static class OidcProviders
{
    /// <summary>The access token lifetime of <see cref="ShortLivedAsync"/>.</summary>
    public static readonly TimeSpan ShortLifetime = TimeSpan.FromSeconds(5);

    private static readonly Instance Trusted = new(() => OidcProviderFixture.StartAsync());
    private static readonly Instance ShortLived = new(() => OidcProviderFixture.StartAsync(ShortLifetime));
    private static readonly Instance Untrusted = new(() => OidcProviderFixture.StartAsync());
    private static readonly Instance Impostor = new(async () => await OidcProviderFixture.StartAsync(issuer: (await TrustedAsync()).Issuer));
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string User, bool Jwt), Lazy<Task<string>>> Tokens = new();
    private static readonly Lock ExpiredLock = new();
    private static Task<ExpiredTokens>? _expired;

    /// <summary>The OP trusted by the APIs under test (tokens valid for 5 minutes).</summary>
    public static Task<OidcProviderFixture> TrustedAsync() => Trusted.GetAsync();

    /// <summary>An OP whose access tokens expire after <see cref="ShortLifetime"/>.</summary>
    public static Task<OidcProviderFixture> ShortLivedAsync() => ShortLived.GetAsync();

    /// <summary>A second, independent OP: another port, issuer and key set.</summary>
    public static Task<OidcProviderFixture> UntrustedAsync() => Untrusted.GetAsync();

    /// <summary>
    /// An OP on another port that claims to be <see cref="TrustedAsync"/>'s issuer: its JWTs carry
    /// the trusted <c>iss</c> and the same key ids, but are signed with its own keys.
    /// </summary>
    public static Task<OidcProviderFixture> ImpostorAsync() => Impostor.GetAsync();

    /// <summary>
    /// An access token of <paramref name="user"/> from <see cref="TrustedAsync"/>, obtained once per
    /// test run and shared (valid for 5 minutes): a JWT for <see cref="OidcProviderFixture.JwtResource"/>, or an opaque one.
    /// </summary>
    public static Task<string> TokenAsync(string user, bool jwt) =>
        Tokens.GetOrAdd((user, jwt), key => new Lazy<Task<string>>(async () =>
        {
            var op = await TrustedAsync();
            return key.Jwt ? await op.Client.GetJwtAsync(key.User) : await op.Client.GetOpaqueTokenAsync(key.User);
        })).Value;

    /// <summary>
    /// Alice's opaque and JWT access tokens from <see cref="ShortLivedAsync"/>, obtained once and
    /// returned after they have expired (one short wait for all expiry tests).
    /// </summary>
    public static Task<ExpiredTokens> ExpiredTokensAsync()
    {
        lock (ExpiredLock)
        {
            if (_expired is null || _expired.IsFaulted || _expired.IsCanceled)
            {
                _expired = GetExpiredTokensAsync();
            }

            return _expired;
        }
    }

    private static async Task<ExpiredTokens> GetExpiredTokensAsync()
    {
        var op = await ShortLivedAsync();
        var opaque = await op.Client.GetOpaqueTokenAsync(OidcProviderFixture.Alice);
        var (before, _) = await OidcProviderTests.GetUserinfoAsync(op, opaque);
        var jwt = await op.Client.GetJwtAsync(OidcProviderFixture.Alice);

        // Wait until the later of the two has expired by the OP's clock (the machine's), whole seconds.
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(OidcProviderTests.JwtPart(jwt, 1).GetProperty("exp").GetInt64());
        var wait = expiresAt - TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        return new ExpiredTokens(op, opaque, jwt, before);
    }

    /// <summary>
    /// The configuration of an application under test (the keys of appsettings.json): trusts the
    /// trusted and the short-lived OP, introspects with the API client, reads JWTs offline (oidc-provider
    /// serves userinfo only for opaque tokens), no clock skew, generous time limits for a loaded CI
    /// machine, and the access level <c>admin</c> (group <c>admins</c>).
    /// </summary>
    public static async Task<Dictionary<string, string?>> AppSettingsAsync() => new()
    {
        ["Flaat:TrustedIssuers:0"] = (await TrustedAsync()).Issuer,
        ["Flaat:TrustedIssuers:1"] = (await ShortLivedAsync()).Issuer,
        ["Flaat:ClientId"] = OidcProviderFixture.ApiClientId,
        ["Flaat:ClientSecret"] = OidcProviderFixture.ApiClientSecret,
        ["Flaat:TokenClaimsSuffice"] = "true",
        ["Flaat:ClockSkew"] = "00:00:00",
        ["Flaat:RequestTimeout"] = "00:00:15",
        ["Flaat:Probing:Deadline"] = "00:00:30",
        ["Flaat:AccessLevels:admin:Kind"] = "claim",
        ["Flaat:AccessLevels:admin:Claim"] = "groups",
        ["Flaat:AccessLevels:admin:Values:0"] = "admins",
    };

    /// <summary>
    /// Flaat settings that trust <paramref name="trusted"/> with the API client's credentials, and
    /// time limits generous enough for a busy CI machine (these tests are about behaviour, not speed).
    /// </summary>
    public static FlaatOptions FlaatOptionsFor(params OidcProviderFixture[] trusted)
    {
        var options = new FlaatOptions
        {
            ClientId = OidcProviderFixture.ApiClientId,
            ClientSecret = OidcProviderFixture.ApiClientSecret,
            RequestTimeout = TimeSpan.FromSeconds(15),
        };
        options.Probing.Deadline = TimeSpan.FromSeconds(30);
        foreach (var op in trusted)
        {
            options.TrustedIssuers.Add(op.Issuer);
        }

        return options;
    }

    internal static async Task StopAllAsync()
    {
        await Task.WhenAll(Trusted.StopAsync(), ShortLived.StopAsync(), Untrusted.StopAsync(), Impostor.StopAsync());
    }

    private sealed class Instance(Func<Task<OidcProviderFixture>> start)
    {
        private readonly Lock _lock = new();
        private Task<OidcProviderFixture>? _started;

        public Task<OidcProviderFixture> GetAsync()
        {
            lock (_lock)
            {
                // A failed start is not cached: the next test tries again and reports its own error.
                if (_started is null || _started.IsFaulted || _started.IsCanceled)
                {
                    _started = start();
                }

                return _started;
            }
        }

        public async Task StopAsync()
        {
            Task<OidcProviderFixture>? started;
            lock (_lock)
            {
                started = _started;
                _started = null;
            }

            if (started is { IsCompletedSuccessfully: true })
            {
                await (await started).DisposeAsync();
            }
        }
    }
}

/// <summary>Expired access tokens of Alice from the short-lived OP.</summary>
/// <param name="Op">The OP that issued them.</param>
/// <param name="Opaque">An opaque token, now expired.</param>
/// <param name="Jwt">A JWT access token (RS256, audience <see cref="OidcProviderFixture.JwtResource"/>), now expired.</param>
/// <param name="UserinfoBeforeExpiry">What the OP's userinfo answered for the opaque token right after it was issued.</param>
public sealed record ExpiredTokens(OidcProviderFixture Op, string Opaque, string Jwt, System.Net.HttpStatusCode UserinfoBeforeExpiry);

/// <summary>
/// Starts getting the expired tokens before the first end-to-end test, so that their wait overlaps
/// the other tests; stops the shared OPs after the last test of the <c>Flaat.Tests.EndToEnd</c> namespace.
/// </summary>
[SetUpFixture]
public sealed class EndToEndSetUp
{
    /// <summary>Starts the short-lived OP and its tokens' countdown in the background (a failure surfaces in the tests that use them).</summary>
    [OneTimeSetUp]
    public void StartExpiringTokens() => _ = OidcProviders.ExpiredTokensAsync();

    /// <summary>Stops every OP that was started.</summary>
    [OneTimeTearDown]
    public async Task StopProvidersAsync() => await OidcProviders.StopAllAsync();
}
