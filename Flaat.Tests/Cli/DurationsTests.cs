using Flaat.Cli;

namespace Flaat.Tests.Cli;

public sealed class DurationsTests
{
    [TestCase(0.4, "less than a second")]
    [TestCase(1, "1 second")]
    [TestCase(59.9, "59 seconds")]
    [TestCase(60, "1 minute")]
    [TestCase(3_723, "1 hour, 2 minutes and 3 seconds")]
    [TestCase(7_200, "2 hours")]
    [TestCase(90_061, "1 day, 1 hour, 1 minute and 1 second")]
    [TestCase(-125, "2 minutes and 5 seconds")]
    public void Format_Seconds_ReadsLikeEnglish(double seconds, string expected)
    {
        Assert.That(Durations.Format(TimeSpan.FromSeconds(seconds)), Is.EqualTo(expected));
    }

    [TestCase("90", 90_000)]
    [TestCase("0", 0)]
    [TestCase("5m", 300_000)]
    [TestCase("1h30m", 5_400_000)]
    [TestCase("1d2h3m4s5ms", 93_784_005)]
    [TestCase("500ms", 500)]
    [TestCase("2s500ms", 2_500)]
    [TestCase("999999999", 999_999_999_000)]
    public void TryParse_CompactForm_ReadsIt(string text, long milliseconds)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Durations.TryParse(text, out var duration), Is.True);
            Assert.That(duration, Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
        });
    }

    [TestCase("")]
    [TestCase(" 5")]
    [TestCase("5 m")]
    [TestCase("-5")]
    [TestCase("5M")]
    [TestCase("m")]
    [TestCase("1m1h")]
    [TestCase("1m1m")]
    [TestCase("1h5")]
    [TestCase("1.5s")]
    [TestCase("1000000000")]
    [TestCase("1000000000s")]
    [TestCase("999999999d")]
    [TestCase("5x")]
    [TestCase("5mss")]
    [TestCase("\u0665s")]
    [TestCase("PT5M")]
    public void TryParse_NotTheCompactForm_IsRefused(string text)
    {
        Assert.That(Durations.TryParse(text, out _), Is.False);
    }

    [Test]
    public void TryParse_RandomText_NeverThrows()
    {
        var random = new Random(16_4);
        const string alphabet = "0123456789dhmsx -.\u0665";
        var refused = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 24)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());

            // An exception fails the test; a refusal is the expected answer to most of these.
            if (!Durations.TryParse(text, out var duration))
            {
                refused++;
            }
            else
            {
                Assert.That(duration, Is.GreaterThanOrEqualTo(TimeSpan.Zero), text);
            }
        }

        Assert.That(refused, Is.GreaterThan(0));
    }
}
