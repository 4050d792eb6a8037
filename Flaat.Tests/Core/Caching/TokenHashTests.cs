using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Flaat.Tests.Core.Caching;

/// <summary>
/// <see cref="TokenHash"/> is the key of every cache entry: two tokens that hash alike would share a
/// user. Each hash is checked against SHA-256 computed here, independently of the code under test.
/// </summary>
public sealed class TokenHashTests
{
    private static string Sha256Hex(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(8191)]
    [TestCase(8192)]
    [TestCase(8193)]
    [TestCase(20_000)]
    public void Compute_TokenOfLength_IsTheSha256OfItsUtf8Bytes(int length)
    {
        var token = new string('t', length);

        Assert.That(TokenHash.Compute(token).ToHexString(), Is.EqualTo(Sha256Hex(token)));
    }

    [Test]
    public void Compute_TwoDistinctTokensOver8KiB_HashDifferentlyAndEachIsItsSha256()
    {
        // Tokens over the stack limit take the pooled-buffer path: a hash dropped there would give
        // every long token the same key, and one long token's user would be served to another.
        var first = new string('a', 9000) + "1";
        var second = new string('a', 9000) + "2";

        var a = TokenHash.Compute(first);
        var b = TokenHash.Compute(second);

        Assert.Multiple(() =>
        {
            Assert.That(a, Is.Not.EqualTo(b));
            Assert.That(a.ToHexString(), Is.EqualTo(Sha256Hex(first)));
            Assert.That(b.ToHexString(), Is.EqualTo(Sha256Hex(second)));
        });
    }

    [Test]
    public void Compute_NonAsciiTokenShortInCharactersButLongInBytes_IsTheSha256OfItsUtf8Bytes()
    {
        // 5 000 characters, 10 000 UTF-8 bytes: the limit is on bytes, not characters.
        var token = new string('é', 5000);

        Assert.That(TokenHash.Compute(token).ToHexString(), Is.EqualTo(Sha256Hex(token)));
        Assert.That(TokenHash.Compute(token), Is.Not.EqualTo(TokenHash.Compute(new string('é', 4999) + "e")));
    }

    [Test]
    public void ToString_SixteenHexDigitsFromTheFirstEightBytesOfTheHash()
    {
        var hash = TokenHash.Compute("token-a");
        var firstEight = SHA256.HashData(Encoding.UTF8.GetBytes("token-a")).AsSpan(0, 8);

        // The first eight bytes as one little-endian number: a short identifier, not the hex string's prefix.
        Assert.That(hash.ToString(), Is.EqualTo(BinaryPrimitives.ReadUInt64LittleEndian(firstEight).ToString("x16", CultureInfo.InvariantCulture)));
    }

    [TestCase(0)]
    [TestCase(8)]
    [TestCase(16)]
    [TestCase(24)]
    [TestCase(31)]
    public void Equals_HashesDifferingInOneByte_NotEqual(int index)
    {
        var hex = Sha256Hex("token-a");
        var changed = hex[..(2 * index)] + (hex[2 * index] == '0' ? '1' : '0') + hex[(2 * index + 1)..];
        Assert.That(TokenHash.TryParse(hex, out var original), Is.True);
        Assert.That(TokenHash.TryParse(changed, out var other), Is.True);

        Assert.Multiple(() =>
        {
            Assert.That(original.Equals(other), Is.False);
            Assert.That(original == other, Is.False);
            Assert.That(original != other, Is.True);
            Assert.That(original.Equals((object)other), Is.False);
            Assert.That(other.ToHexString(), Is.EqualTo(changed));
        });
    }

    [Test]
    public void Equals_SameToken_EqualByEveryOperatorWithTheSameHashCode()
    {
        var a = TokenHash.Compute("token-a");
        var b = TokenHash.Compute(new string("token-a".ToCharArray()));

        Assert.Multiple(() =>
        {
            Assert.That(a.Equals(b), Is.True);
            Assert.That(a == b, Is.True);
            Assert.That(a != b, Is.False);
            Assert.That(a.Equals((object)b), Is.True);
            Assert.That(a.Equals("token-a"), Is.False);
            Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
        });
    }

    [Test]
    public void TryParse_UpperCaseHex_ReadsTheSameHash()
    {
        var hash = TokenHash.Compute("token-a");

        Assert.That(TokenHash.TryParse(hash.ToHexString().ToUpperInvariant(), out var parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(hash));
    }

    [TestCase("")]
    [TestCase("0")]
    [TestCase("000000000000000000000000000000000000000000000000000000000000000")]
    [TestCase("00000000000000000000000000000000000000000000000000000000000000000")]
    [TestCase("000000000000000000000000000000000000000000000000000000000000000g")]
    [TestCase("00000000000000000000000000000000000000000000000000000000000000 0")]
    public void TryParse_NotExactly64HexDigits_RefusedWithDefault(string hex)
    {
        Assert.That(TokenHash.TryParse(hex, out var hash), Is.False);
        Assert.That(hash, Is.EqualTo(default(TokenHash)));
    }
}
