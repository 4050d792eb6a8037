using Flaat.Caching;
using Flaat.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flaat.Tests.Redis;

/// <summary>AddRedis registers the shared caches, and its settings are validated at start-up by name.</summary>
public sealed class FlaatRedisRegistrationTests
{
    [Test]
    public async Task AddRedis_InAHost_EngineCachesAndReplaysOnRedis()
    {
        using var redis = RedisServer.Start();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddFlaat(o => o.TrustedIssuers.Add("https://op.example")).AddRedis(redis.ConnectionString);
        await using var app = builder.Build();
        await app.StartAsync();

        var cache = app.Services.GetRequiredService<IFlaatTokenCache>();
        var replay = app.Services.GetRequiredService<IFlaatReplayCache>();
        var first = await replay.TryAddAsync("jti-1", DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        var second = await replay.TryAddAsync("jti-1", DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(cache, Is.InstanceOf<RedisTokenCache>());
            Assert.That(first, Is.True);
            Assert.That(second, Is.False, "a replay");
            Assert.That(redis.Command("EXISTS flaat:v1:j:jti-1"), Is.EqualTo(":1"), "shared with the other replicas");
        });
    }

    [Test]
    public async Task TryAddAsync_SecondReplica_SeesTheFirstReplicasValueAsAReplay()
    {
        using var redis = RedisServer.Start();
        var options = new FlaatRedisOptions { Configuration = redis.ConnectionString };
        await using var one = new RedisStore(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, null);
        await using var two = new RedisStore(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, null);
        await one.Connected;
        await two.Connected;

        var atOne = await new RedisReplayCache(one, TimeProvider.System).TryAddAsync("jti-2", DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        var atTwo = await new RedisReplayCache(two, TimeProvider.System).TryAddAsync("jti-2", DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(atOne, Is.True);
            Assert.That(atTwo, Is.False);
        });
    }

    [TestCase(null, "Configuration")]
    [TestCase("127.0.0.1:1,unknownsetting=1", "Configuration")]
    public void AddRedis_InvalidConfiguration_StartFailsNamingTheSetting(string? configuration, string setting)
    {
        var services = new ServiceCollection();
        services.AddFlaat(o => o.TrustedIssuers.Add("https://op.example")).AddRedis(o => o.Configuration = configuration);
        using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<IOptions<FlaatRedisOptions>>().Value, Throws.InstanceOf<OptionsValidationException>().With.Message.Contains(setting));
    }

    [Test]
    public void Validate_EverySettingOutOfRange_EachNamed()
    {
        var errors = FlaatRedisOptionsValidation.Errors(new FlaatRedisOptions
        {
            Configuration = "127.0.0.1:6379",
            KeyPrefix = "has space",
            OperationBudget = TimeSpan.Zero,
            RetryInterval = TimeSpan.FromHours(1),
        });

        Assert.That(errors, Has.Count.EqualTo(3));
        Assert.That(string.Join(" ", errors), Does.Contain("KeyPrefix").And.Contain("OperationBudget").And.Contain("RetryInterval"));
    }
}
