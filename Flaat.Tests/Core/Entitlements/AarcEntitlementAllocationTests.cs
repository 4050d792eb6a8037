using Flaat.Entitlements;

namespace Flaat.Tests.Core.Entitlements;

/// <summary>Entitlements are read for every entitlement of every user on every request: reading must allocate little.</summary>
public sealed class AarcEntitlementAllocationTests
{
    private const int Rounds = 1000;

    private static long AllocatedPerCall(Action action)
    {
        for (var i = 0; i < 100; i++)
        {
            action();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Rounds; i++)
        {
            action();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Rounds;
    }

    [TestCase("urn:geant:h-df.de:group:aai-admin:role=member#unity.helmholtz-data-federation.de", AarcSpec.G069)]
    [TestCase("urn:geant:h-df.de:group:aai-admin:role=member#unity.helmholtz-data-federation.de", AarcSpec.G002Strict)]
    public void TryParse_NormalisedValueWithoutSubparts_AllocatesOnlyTheEntitlement(string value, AarcSpec spec)
    {
        // The entitlement object keeps the caller's string and a few offsets: no copies, no arrays.
        Assert.That(AllocatedPerCall(() => AarcEntitlement.TryParse(value, spec, out _)), Is.LessThanOrEqualTo(64));
    }

    [Test]
    public void TryParse_NormalisedValueWithSubparts_AddsOneSmallArray()
    {
        const string Value = "urn:geant:h-df.de:sub:group:aai-admin:special:deeper:role=member";

        Assert.That(AllocatedPerCall(() => AarcEntitlement.TryParse(Value, AarcSpec.G069, out _)), Is.LessThanOrEqualTo(64 + 40));
    }

    [TestCase("urn:geant:h-df.de:group:aai-admin::x")]
    [TestCase("https://example.org/not-an-entitlement")]
    [TestCase("urn:geant:h-df.de:grp:aai-admin")]
    public void TryParse_Invalid_AllocatesNothing(string value)
    {
        Assert.That(AllocatedPerCall(() => AarcEntitlement.TryParse(value, AarcSpec.G069, out _)), Is.Zero);
    }

    [Test]
    public void SatisfiesEqualsAndGetHashCode_AllocateNothing()
    {
        var available = AarcEntitlement.Parse("urn:geant:h-df.de:sub:group:aai-admin:special:role=member#a");
        var required = AarcEntitlement.Parse("urn:geant:h-df.de:sub:group:aai-admin:special:role=member");

        Assert.That(
            AllocatedPerCall(() => _ = available.Satisfies(required) && available.Equals(required) && available.GetHashCode() == required.GetHashCode()),
            Is.Zero);
    }
}
