using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

public sealed class MatchTests
{
    [Test]
    public void Default_IsAll()
    {
        Assert.Multiple(() =>
        {
            Assert.That(default(Match), Is.EqualTo(Match.All));
            Assert.That(Match.All.IsAll, Is.True);
            Assert.That(Match.All.Minimum, Is.Null);
        });
    }

    [Test]
    public void One_IsAtLeastOne()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Match.One, Is.EqualTo(Match.AtLeast(1)));
            Assert.That(Match.One.Minimum, Is.EqualTo(1));
            Assert.That(Match.One.IsAll, Is.False);
        });
    }

    [TestCase(0)]
    [TestCase(-3)]
    public void AtLeast_BelowOne_Throws(int count)
    {
        Assert.That(() => Match.AtLeast(count), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [TestCase("all", "all")]
    [TestCase("ALL", "all")]
    [TestCase(" one ", "one")]
    [TestCase("1", "one")]
    [TestCase("3", "3")]
    public void TryParse_Valid_ReadsIt(string text, string expected)
    {
        Assert.That(Match.TryParse(text, out var match), Is.True);
        Assert.That(match.ToString(), Is.EqualTo(expected));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("0")]
    [TestCase("-1")]
    [TestCase("+2")]
    [TestCase("two")]
    [TestCase("1.5")]
    [TestCase("99999999999")]
    public void TryParse_Invalid_ReturnsFalse(string? text)
    {
        Assert.That(Match.TryParse(text, out _), Is.False);
    }

    [Test]
    public void Parse_Invalid_ThrowsFormatExceptionQuotingTheText()
    {
        Assert.That(() => Match.Parse("some"), Throws.InstanceOf<FormatException>().With.Message.Contains("'some'"));
    }
}
