using System.Text;
using Flaat.Redis;
using Flaat.Testing;
using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;
using static Flaat.Tests.Redis.RedisSharedCacheTests;

namespace Flaat.Tests.Redis;

/// <summary>
/// A value in Redis is hostile until checked: tampered, foreign, undecryptable, copied from another
/// token, or random bytes are a miss (the OP is asked), never an exception, never an admission.
/// </summary>
public sealed class RedisValueTests
{
    private RedisServer _redis = null!;

    [SetUp]
    public void StartRedis() => _redis = RedisServer.Start();

    [TearDown]
    public void StopRedis() => _redis.Dispose();

    [TestCase("garbage")]
    [TestCase("tampered")]
    [TestCase("foreign version")]
    [TestCase("other key ring")]
    [TestCase("plain json")]
    [TestCase("another token's value")]
    public async Task AuthenticateAsync_HostileValueUnderTheTokensKey_MissAndTheOpDecides(string kind)
    {
        await using var op = FakeOpenIdProvider.Start();
        var keyRing = new EphemeralDataProtectionProvider();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op), count: 2, protection: keyRing);
        var alice = op.CreateOpaqueToken(new FakeUser("alice"));
        var bob = op.CreateOpaqueToken(new FakeUser("bob"));
        await fleet[0].AuthenticateAsync(alice);
        await fleet[0].AuthenticateAsync(bob);
        await using var raw = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var db = raw.GetDatabase();
        var aliceKey = "flaat:v1:o:" + Hash(alice);
        var stored = (byte[])(await db.StringGetAsync(aliceKey))!;
        var outcome = new OutcomeCodec(keyRing).Decode(Hash(alice), stored)!;
        byte[] hostile = kind switch
        {
            "garbage" => Encoding.UTF8.GetBytes("{\"V\":1}"),
            "tampered" => Flip(stored, stored.Length / 2),
            "foreign version" => [(byte)'F', (byte)'2', .. stored.AsSpan(2)],
            "other key ring" => new OutcomeCodec(new EphemeralDataProtectionProvider()).Encode(Hash(alice), outcome),
            "plain json" => [(byte)'F', (byte)'1', (byte)'j', .. Encoding.UTF8.GetBytes($"{{\"V\":1,\"K\":\"{Hash(alice)}\",\"Iss\":\"{op.Issuer}\",\"Ui\":\"{{\\\"sub\\\":\\\"bob\\\"}}\",\"Fp\":\"{outcome.ConfigurationFingerprint}\",\"Exp\":{DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds()}}}")],
            _ => (byte[])(await db.StringGetAsync("flaat:v1:o:" + Hash(bob)))!,
        };
        await db.StringSetAsync(aliceKey, hostile, TimeSpan.FromMinutes(1));
        var calls = op.RequestCount(FakeOpenIdEndpoint.UserInfo);

        var result = await fleet[1].AuthenticateAsync(alice);

        Assert.Multiple(() =>
        {
            Assert.That(result.UserInfos?.Subject, Is.EqualTo("alice"), "never another user");
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo) - calls, Is.EqualTo(1), "the OP was asked");
        });
    }

    [Test]
    public async Task AuthenticateAsync_RandomBytesAsStoredValues_NeverAnAdmissionNeverAnException()
    {
        await using var op = FakeOpenIdProvider.Start();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op), count: 1);
        var token = op.CreateOpaqueToken(new FakeUser("ivan"));
        op.SimulateDown();
        await using var raw = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var db = raw.GetDatabase();
        var random = new Random(13);
        var statuses = new HashSet<int?>();
        for (var i = 0; i < 150; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length >= 3)
            {
                // Past the header, into the unprotection.
                "F1p"u8.CopyTo(bytes);
            }

            await db.StringSetAsync("flaat:v1:o:" + Hash(token), bytes, TimeSpan.FromMinutes(1));
            var result = await fleet[0].AuthenticateAsync(token);
            statuses.Add(result.Error?.StatusCode);
        }

        // The OP is down (503), or its probing budget is spent (401): never an admission, never a 500.
        Assert.That(statuses, Is.SubsetOf(new int?[] { 503, 401 }));
    }

    [Test]
    public void Decode_RandomAndMutatedValues_NeverThrows()
    {
        var keyRing = new EphemeralDataProtectionProvider();
        var codec = new OutcomeCodec(keyRing);
        var protector = keyRing.CreateProtector("Flaat.Redis.TokenOutcome.v1", "prefix=flaat:");
        var key = new string('a', 64);
        var valid = Encoding.UTF8.GetBytes($"{{\"V\":1,\"K\":\"{key}\",\"Iss\":\"https://op.example\",\"Ui\":\"{{}}\",\"Fp\":\"f\",\"Exp\":1}}");
        var random = new Random(7);
        for (var i = 0; i < 3000; i++)
        {
            byte[] json;
            if (i % 3 == 0)
            {
                json = new byte[random.Next(0, 200)];
                random.NextBytes(json);
            }
            else
            {
                json = (byte[])valid.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    json[random.Next(json.Length)] = (byte)random.Next(256);
                }
            }

            byte[] value = [(byte)'F', (byte)'1', (byte)'p', .. protector.Protect(json)];
            Assert.That(() => codec.Decode(key, value), Throws.Nothing);
            Assert.That(() => codec.DecodeIssuer(key, value), Throws.Nothing);
        }
    }

    [Test]
    public void Decode_RepeatedOrUnknownMember_Miss()
    {
        var keyRing = new EphemeralDataProtectionProvider();
        var codec = new OutcomeCodec(keyRing);
        var protector = keyRing.CreateProtector("Flaat.Redis.TokenOutcome.v1", "prefix=flaat:");
        var key = new string('a', 64);
        const string Body = "\"Iss\":\"https://op.example\",\"Ui\":\"{}\",\"Fp\":\"f\",\"Exp\":4102444800000";
        byte[] Value(string json) => [(byte)'F', (byte)'1', (byte)'p', .. protector.Protect(Encoding.UTF8.GetBytes(json))];

        Assert.Multiple(() =>
        {
            Assert.That(codec.Decode(key, Value($"{{\"V\":1,\"K\":\"{key}\",{Body}}}")), Is.Not.Null, "the well-formed value reads");
            Assert.That(codec.Decode(key, Value($"{{\"V\":1,\"K\":\"{key}\",{Body},\"Iss\":\"https://other.example\"}}")), Is.Null, "a repeated member");
            Assert.That(codec.Decode(key, Value($"{{\"V\":1,\"K\":\"{key}\",{Body},\"X\":1}}")), Is.Null, "an unknown member");
            Assert.That(codec.Decode(key, Value($"{{\"V\":2,\"K\":\"{key}\",{Body}}}")), Is.Null, "another version");
            Assert.That(codec.Decode(new string('b', 64), Value($"{{\"V\":1,\"K\":\"{key}\",{Body}}}")), Is.Null, "another token's key");
        });
    }

    private static byte[] Flip(byte[] value, int index)
    {
        var copy = (byte[])value.Clone();
        copy[index] ^= 0x20;
        return copy;
    }
}
