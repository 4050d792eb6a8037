using BenchmarkDotNet.Attributes;
using Flaat.Entitlements;

namespace Flaat.Benchmarks;

/// <summary>AARC entitlement parsing and matching.</summary>
[MemoryDiagnoser]
public class AarcBenchmarks
{
    private const string Simple = "urn:geant:h-df.de:group:m-team#login.helmholtz.de";
    private const string Nested = "urn:geant:h-df.de:group:m-team:feudal-developers:role=member#login.helmholtz.de";
    private const string Escaped = "urn:mace:egi.eu:group:vo.test.egi.eu:sub%20group:role=vm%20operator#aai.egi.eu";
    // A field, not a constant: the JIT must not fold the call away.
    private readonly string _notAnEntitlement = "urn:geant:h-df.de:m-team#login.helmholtz.de";

    private readonly AarcEntitlement _required = AarcEntitlement.Parse(Simple);
    private readonly AarcEntitlement _available = AarcEntitlement.Parse(Nested);

    [Benchmark(Description = "Parse G069, group only")]
    public AarcEntitlement ParseSimple() => AarcEntitlement.Parse(Simple);

    [Benchmark(Description = "Parse G069, subgroup + role")]
    public AarcEntitlement ParseNested() => AarcEntitlement.Parse(Nested);

    [Benchmark(Description = "Parse G069, percent-encoded")]
    public AarcEntitlement ParseEscaped() => AarcEntitlement.Parse(Escaped);

    [Benchmark(Description = "TryParse, not an entitlement (no group part)")]
    public bool TryParseInvalid() => AarcEntitlement.TryParse(_notAnEntitlement, AarcSpec.G069, out _);

    [Benchmark(Description = "Satisfies (subgroup member of group)")]
    public bool Satisfies() => _available.Satisfies(_required);
}
