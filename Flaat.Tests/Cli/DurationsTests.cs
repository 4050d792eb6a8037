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
}
