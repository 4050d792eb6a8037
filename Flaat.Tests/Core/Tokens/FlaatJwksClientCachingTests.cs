using Flaat.Testing;
using Flaat.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Core.Tokens;

/// <summary>
/// The public JWKS client's key lifetime and its rate limit on refreshes for unknown key ids, on a fake
/// clock against the fake OP (whose JWKS the test sets).
/// </summary>
public sealed class FlaatJwksClientCachingTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private FakeOpenIdProvider _op = null!;
    private FakeTimeProvider _time = null!;
    private TestKey _key = null!;

    [SetUp]
    public void SetUp()
    {
        _op = FakeOpenIdProvider.Start();
        _time = new FakeTimeProvider(Start);
        _key = TestKey.Create("ES256", kid: "known");
        EngineTestKit.ServeJwks(_op, _key.Jwk);
    }

    [TearDown]
    public void TearDown() => _op.Dispose();

    private FlaatJwksClient Client(TimeSpan? keysLifetime = null, TimeSpan? refreshInterval = null)
    {
        var options = new FlaatOptions();
        if (refreshInterval is { } interval)
        {
            options.Cache.JwksRefreshInterval = interval;
        }

        return new FlaatJwksClient(new Uri(_op.JwksUri), options, keysLifetime, timeProvider: _time);
    }

    private int Fetches => _op.RequestCount(FakeOpenIdEndpoint.Jwks);

    [Test]
    public async Task GetSigningKeysAsync_CallersKeyLifetime_CachedUntilItsLastTickThenFetchedAgain()
    {
        using var client = Client(keysLifetime: TimeSpan.FromMinutes(10));
        await client.GetSigningKeysAsync();

        _time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1));
        await client.GetSigningKeysAsync();
        Assert.That(Fetches, Is.EqualTo(1), "within the caller's lifetime");

        _time.Advance(TimeSpan.FromTicks(1));
        await client.GetSigningKeysAsync();
        Assert.That(Fetches, Is.EqualTo(2), "at the end of the caller's lifetime");
    }

    [Test]
    public async Task GetSigningKeysAsync_KeyLifetimeShorterThanTheDefault_FetchedAgainAfterIt()
    {
        // The default lifetime is an hour: a client that ignored the caller's five minutes would not fetch.
        using var client = Client(keysLifetime: TimeSpan.FromMinutes(5));
        await client.GetSigningKeysAsync();

        _time.Advance(TimeSpan.FromMinutes(6));
        await client.GetSigningKeysAsync();

        Assert.That(Fetches, Is.EqualTo(2));
    }

    [Test]
    public async Task GetSigningKeysAsync_DefaultLifetime_CachedForAnHour()
    {
        using var client = Client();
        await client.GetSigningKeysAsync();

        _time.Advance(TimeSpan.FromMinutes(59));
        await client.GetSigningKeysAsync();
        Assert.That(Fetches, Is.EqualTo(1));

        _time.Advance(TimeSpan.FromMinutes(1));
        await client.GetSigningKeysAsync();
        Assert.That(Fetches, Is.EqualTo(2));
    }

    [Test]
    public async Task GetSigningKeysAsync_ZeroLifetime_FetchesOnEveryCall()
    {
        using var client = Client(keysLifetime: TimeSpan.Zero);

        await client.GetSigningKeysAsync();
        await client.GetSigningKeysAsync();

        Assert.That(Fetches, Is.EqualTo(2));
    }

    [Test]
    public void Constructor_NegativeLifetimeOrRelativeUri_Throws()
    {
        Assert.That(() => new FlaatJwksClient(new Uri(_op.JwksUri), keysLifetime: TimeSpan.FromTicks(-1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new FlaatJwksClient(new Uri("/jwks", UriKind.Relative)), Throws.ArgumentException);
        Assert.That(() => new FlaatJwksClient(null!), Throws.ArgumentNullException);
    }

    [Test]
    public async Task GetSigningKeyAsync_UnknownKid_OneRefreshPerIntervalNotPerCall()
    {
        using var client = Client(refreshInterval: TimeSpan.FromSeconds(30));
        await client.GetSigningKeysAsync();

        // Within the refresh interval of the last fetch: unknown, and the OP is not asked again.
        Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => client.GetSigningKeyAsync("unknown"));
        Assert.That(Fetches, Is.EqualTo(1));

        // At the end of the interval one refresh is allowed, and it finds the rotated key.
        var rotated = TestKey.Create("ES256", kid: "unknown");
        EngineTestKit.ServeJwks(_op, _key.Jwk, rotated.Jwk);
        _time.Advance(TimeSpan.FromSeconds(30));
        var key = await client.GetSigningKeyAsync("unknown");
        Assert.That(key.KeyId, Is.EqualTo("unknown"));
        Assert.That(Fetches, Is.EqualTo(2));

        // A known kid never refreshes.
        _time.Advance(TimeSpan.FromSeconds(30));
        await client.GetSigningKeyAsync("known");
        Assert.That(Fetches, Is.EqualTo(2));
    }

    [Test]
    public async Task GetSigningKeyAsync_UnknownKidOneTickBeforeTheInterval_NoRefresh()
    {
        using var client = Client(refreshInterval: TimeSpan.FromSeconds(30));
        await client.GetSigningKeysAsync();

        _time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => client.GetSigningKeyAsync("unknown"));

        Assert.That(Fetches, Is.EqualTo(1));
    }

    [Test]
    public async Task VerifyAsync_UnknownKid_RefreshRateLimitedThenOneRefreshAfterTheInterval()
    {
        using var client = Client(refreshInterval: TimeSpan.FromSeconds(30));
        await client.VerifyAsync(_key.CreateToken(EngineTestKit.Payload(_op.Issuer, now: _time.GetUtcNow())));
        var rotated = TestKey.Create("ES256", kid: "rotated");
        EngineTestKit.ServeJwks(_op, _key.Jwk, rotated.Jwk);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => client.VerifyAsync(rotated.CreateToken(EngineTestKit.Payload(_op.Issuer, now: _time.GetUtcNow()))));
        Assert.That(Fetches, Is.EqualTo(1), "rate-limited: the OP is not asked for every unknown kid");

        _time.Advance(TimeSpan.FromSeconds(1));
        var info = await client.VerifyAsync(rotated.CreateToken(EngineTestKit.Payload(_op.Issuer, now: _time.GetUtcNow())));
        Assert.That(info.IsVerified, Is.True);
        Assert.That(Fetches, Is.EqualTo(2));
    }

    [Test]
    public async Task VerifyAsync_TokenNotValidYetOnTheFakeClock_RejectedWithoutFetching()
    {
        using var client = Client();
        var payload = EngineTestKit.Payload(_op.Issuer, now: _time.GetUtcNow());
        payload["nbf"] = (_time.GetUtcNow() + TimeSpan.FromMinutes(10)).ToUnixTimeSeconds();

        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => client.VerifyAsync(_key.CreateToken(payload)));

        Assert.That(thrown!.Message, Is.EqualTo("Token is not valid yet"));
        Assert.That(Fetches, Is.Zero);
    }
}
