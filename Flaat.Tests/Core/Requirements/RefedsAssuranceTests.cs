using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

/// <summary>The REFEDS Assurance Framework 1.0 values and their implications, one test per rule, and acr.</summary>
public sealed class RefedsAssuranceTests
{
    private const string Raf = "https://refeds.org/assurance";

    private static bool Meets(string required, params string[] asserted) =>
        Refeds.Assurance(required).IsSatisfiedBy(Users.Alice($"\"eduperson_assurance\":{System.Text.Json.JsonSerializer.Serialize(asserted)}")).IsSatisfied;

    // RAF 1.0, "Identity assurance": the IAP levels are cumulative, high > medium > low.
    [TestCase("IAP/high", "IAP/medium", true)]
    [TestCase("IAP/high", "IAP/low", true)]
    [TestCase("IAP/medium", "IAP/low", true)]
    [TestCase("IAP/medium", "IAP/high", false)]
    [TestCase("IAP/low", "IAP/medium", false)]
    [TestCase("IAP/local-enterprise", "IAP/low", false)]
    public void Iap_Levels_HigherImpliesLower(string asserted, string required, bool met)
    {
        Assert.That(Meets($"{Raf}/{required}", $"{Raf}/{asserted}"), Is.EqualTo(met));
    }

    // RAF 1.0, "Assurance profiles: Cappuccino": ID/unique, ID/eppn-unique-no-reassign, IAP/low+medium, ATP/ePA-1m, conformance.
    [TestCase("ID/unique", true)]
    [TestCase("ID/eppn-unique-no-reassign", true)]
    [TestCase("IAP/low", true)]
    [TestCase("IAP/medium", true)]
    [TestCase("ATP/ePA-1m", true)]
    [TestCase("", true)]
    [TestCase("IAP/high", false)]
    [TestCase("ATP/ePA-1d", false)]
    [TestCase("profile/espresso", false)]
    public void Cappuccino_ImpliesItsComponents(string required, bool met)
    {
        Assert.That(Meets(Raf + (required.Length == 0 ? "" : "/" + required), $"{Raf}/profile/cappuccino"), Is.EqualTo(met));
    }

    // RAF 1.0, "Assurance profiles: Espresso": Cappuccino's values and IAP/high.
    [TestCase("profile/cappuccino", true)]
    [TestCase("ID/unique", true)]
    [TestCase("ID/eppn-unique-no-reassign", true)]
    [TestCase("IAP/high", true)]
    [TestCase("IAP/medium", true)]
    [TestCase("IAP/low", true)]
    [TestCase("ATP/ePA-1m", true)]
    [TestCase("ATP/ePA-1d", false)]
    public void Espresso_ImpliesCappuccinoAndIapHigh(string required, bool met)
    {
        Assert.That(Meets($"{Raf}/{required}", $"{Raf}/profile/espresso"), Is.EqualTo(met));
    }

    // RAF is silent: Flaat infers nothing (fail closed).
    [Test]
    public void SilentCases_NothingInferred()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Meets($"{Raf}/ATP/ePA-1m", $"{Raf}/ATP/ePA-1d"), Is.False);
            Assert.That(Meets($"{Raf}/ID/eppn-unique-reassign-1y", $"{Raf}/ID/eppn-unique-no-reassign"), Is.False);
            Assert.That(Meets($"{Raf}/profile/cappuccino", $"{Raf}/IAP/medium", $"{Raf}/ID/unique", $"{Raf}/ATP/ePA-1m"), Is.False);
            Assert.That(Meets($"{Raf}/IAP/medium", $"{Raf}/IAP/MEDIUM"), Is.False, "values are compared exactly");
        });
    }

    [Test]
    public void Assurance_ClaimMissingOrOfAnotherShape_NotSatisfied()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Refeds.Assurance($"{Raf}/IAP/low").IsSatisfiedBy(Users.Alice()).Message, Is.EqualTo("Claim 'eduperson_assurance' is not available"));
            Assert.That(Refeds.Assurance($"{Raf}/IAP/low").IsSatisfiedBy(Users.Alice($"\"eduperson_assurance\":\"{Raf}/IAP/high\"")).IsSatisfied, Is.True, "a single string");
            Assert.That(Refeds.Assurance($"{Raf}/IAP/low").IsSatisfiedBy(Users.Alice("\"eduperson_assurance\":[1,{},null]")).IsSatisfied, Is.False);
            Assert.That(Refeds.Assurance($"{Raf}/IAP/low").IsSatisfiedBy(Users.Alice($"\"eduperson_assurance\":[\"{Raf}/IAP/high\"]")).Message,
                Is.EqualTo($"User's assurance '{Raf}/IAP/high' implies '{Raf}/IAP/low'"));
        });
    }

    [Test]
    public void Assurance_Several_MatchAllByDefault()
    {
        var user = Users.Alice($"\"eduperson_assurance\":[\"{Raf}/IAP/medium\"]");

        Assert.Multiple(() =>
        {
            Assert.That(Refeds.Assurance([$"{Raf}/IAP/low", $"{Raf}/ID/unique"]).IsSatisfiedBy(user).IsSatisfied, Is.False);
            Assert.That(Refeds.Assurance([$"{Raf}/IAP/low", $"{Raf}/ID/unique"], Match.One).IsSatisfiedBy(user).IsSatisfied, Is.True);
            Assert.Throws<ArgumentException>(() => Refeds.Assurance(" "));
        });
    }

    [Test]
    public void Acr_OneOfTheValues_Exactly()
    {
        var mfa = Users.Alice("\"acr\":\"https://refeds.org/profile/mfa\"");

        Assert.Multiple(() =>
        {
            Assert.That(Refeds.Acr("https://refeds.org/profile/sfa", "https://refeds.org/profile/mfa").IsSatisfiedBy(mfa).IsSatisfied, Is.True);
            Assert.That(Refeds.Acr("https://refeds.org/profile/sfa").IsSatisfiedBy(mfa).IsSatisfied, Is.False, "no implication between acr values");
        });
    }
}
