using System.Text.Json;

namespace Flaat.Tests.Core.Tokens;

/// <summary>
/// An OP's <c>exp</c> (userinfo, introspection): a JSON number or numeric string of seconds, within
/// <see cref="DateTimeOffset"/>'s range; anything else is no time at all (never an exception).
/// </summary>
public sealed class NumericDateTests
{
    private static DateTimeOffset? Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return NumericDate.Read(document.RootElement);
    }

    [TestCase("0", 0L)]
    [TestCase("1767272400", 1767272400_000L)]
    [TestCase("1.5", 1500L)]
    [TestCase("\"1767272400\"", 1767272400_000L)]
    [TestCase("\"1.5e3\"", 1500_000L)]
    [TestCase("-1", -1000L)]
    [TestCase("253402300799", 253402300799_000L)]
    [TestCase("-62135596800", -62135596800_000L)]
    [TestCase("\"253402300799\"", 253402300799_000L)]
    public void Read_SecondsInRange_TheTime(string json, long unixMilliseconds) =>
        Assert.That(Read(json), Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds)));

    [TestCase("253402300800")]
    [TestCase("-62135596801")]
    [TestCase("1e300")]
    [TestCase("-1e300")]
    [TestCase("\"253402300800\"")]
    [TestCase("\"-62135596801\"")]
    [TestCase("\"NaN\"")]
    [TestCase("\"Infinity\"")]
    [TestCase("\"-Infinity\"")]
    [TestCase("\"soon\"")]
    [TestCase("\"\"")]
    [TestCase("true")]
    [TestCase("null")]
    [TestCase("{}")]
    [TestCase("[1767272400]")]
    public void Read_NotSecondsInRange_Null(string json) =>
        Assert.That(Read(json), Is.Null);
}
