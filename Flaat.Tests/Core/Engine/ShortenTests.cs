using Flaat.Errors;

namespace Flaat.Tests.Core.Engine;

/// <summary>Values taken from a token are cut before they go into a message, never inside a character.</summary>
public sealed class ShortenTests
{
    [Test]
    public void Shorten_ShortValue_Unchanged()
    {
        var value = new string('a', 120);

        Assert.That(ErrorText.Shorten(value), Is.SameAs(value));
    }

    [Test]
    public void Shorten_LongValue_First120CharactersAndEllipsis()
    {
        Assert.That(ErrorText.Shorten(new string('a', 500)), Is.EqualTo(new string('a', 120) + "..."));
    }

    [Test]
    public void Shorten_SurrogatePairAcrossTheCut_CutBeforeThePair()
    {
        // 119 characters, then an emoji (a surrogate pair at 119 and 120), then more.
        var value = new string('a', 119) + "\U0001F600" + new string('b', 10);

        var shortened = ErrorText.Shorten(value);

        Assert.That(shortened, Is.EqualTo(new string('a', 119) + "..."));
        Assert.That(shortened.Any(char.IsSurrogate), Is.False);
    }
}
