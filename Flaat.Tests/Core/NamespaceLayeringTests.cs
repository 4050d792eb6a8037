namespace Flaat.Tests.Core;

// Flaat.Core's namespaces are layers: each uses only the layers below it, so none forms a cycle.
// Bottom first:
//   Flaat               the basic types: UserInfos, AccessTokenInfo, ClaimSet, TokenHash, FlaatOptions and
//                       the option classes, FlaatError and the exceptions, IFlaatAuthenticator with
//                       AuthenticationRequest and AuthenticationResult, IUserInfosPostProcessor
//   Flaat.Errors        Result<T> and error text: how the parts pass failures on
//   Flaat.Diagnostics   telemetry (meter, activity source) and the issuer monitor's types
//   Flaat.Entitlements  AARC entitlements
//   Flaat.Requirements  requirements over UserInfos, access levels and FlaatAccessOptions
//   Flaat.Caching       the per-token outcome and the token cache seam
//   Flaat.Http          the OP client
//   Flaat.Tokens        JWT decoding and verification, FlaatJwksClient
//   Flaat.Issuers       each trusted OP's configuration, keys and state
//   Flaat.Engine        FlaatAuthenticator, the façade, and the engine's parts
//   Flaat.Evaluation    FlaatEvaluator: presentation, binding, requirements, outcome (over IFlaatAuthenticator)
// A new namespace takes its place in Layers below; a type that a lower layer needs moves down.
public sealed class NamespaceLayeringTests
{
    private static readonly string[] Layers =
    [
        "Flaat",
        "Flaat.Errors",
        "Flaat.Diagnostics",
        "Flaat.Entitlements",
        "Flaat.Requirements",
        "Flaat.Caching",
        "Flaat.Http",
        "Flaat.Tokens",
        "Flaat.Issuers",
        "Flaat.Engine",
        "Flaat.Evaluation",
    ];

    private static readonly Lazy<(IReadOnlySet<string> Namespaces, IReadOnlyList<NamespaceDependency> Dependencies)> Core =
        new(() => NamespaceDependencies.Read(typeof(UserInfos).Assembly, "Flaat"));

    [Test]
    public void Namespaces_OfFlaatCore_FormNoCycle()
    {
        var (namespaces, dependencies) = Core.Value;

        var cycle = FindCycle(namespaces, dependencies.Select(d => (d.FromNamespace, d.ToNamespace)));

        Assert.That(cycle, Is.Empty, () => "Flaat.Core's namespaces form a cycle: " + string.Join(" -> ", cycle)
            + Environment.NewLine + string.Join(Environment.NewLine, cycle.Zip(cycle.Skip(1))
                .Select(edge => dependencies.First(d => d.FromNamespace == edge.First && d.ToNamespace == edge.Second))));
    }

    [Test]
    public void Namespaces_OfFlaatCore_AreEachInOneLayer()
    {
        Assert.That(Core.Value.Namespaces, Is.EquivalentTo(Layers), "every namespace of Flaat.Core is listed in Layers, in its place");
    }

    [Test]
    public void Dependencies_OfEachNamespace_GoToLowerLayersOnly()
    {
        var upward = Core.Value.Dependencies
            .Where(d => Array.IndexOf(Layers, d.ToNamespace) >= Array.IndexOf(Layers, d.FromNamespace))
            .Select(d => d.ToString())
            .ToList();

        Assert.That(upward, Is.Empty, "a namespace uses a namespace of its own layer or above");
    }

    [Test]
    public void Dependencies_NamedOnlyInAnAsyncMethodBody_CountForItsDeclaringType()
    {
        // FlaatAuthenticator.AuthenticateUncachedAsync starts the authentication span; the compiler
        // moves that body into a nested state machine, which must count for FlaatAuthenticator.
        var dependencies = Core.Value.Dependencies;

        Assert.That(dependencies.Where(d => d.Via.Contains("<AuthenticateUncachedAsync>", StringComparison.Ordinal) && d.Via.EndsWith(" body", StringComparison.Ordinal)),
            Has.Some.Matches<NamespaceDependency>(d => d.From == "Flaat.Engine.FlaatAuthenticator" && d.To == "Flaat.Diagnostics.FlaatTelemetry"));
    }

    [Test]
    public void FindCycle_GraphWithACycle_ReturnsTheCycle()
    {
        var cycle = FindCycle(["A", "B", "C", "D"], [("A", "B"), ("B", "C"), ("C", "A"), ("C", "D")]);

        Assert.That(cycle, Is.EqualTo(new[] { "A", "B", "C", "A" }));
    }

    [Test]
    public void FindCycle_LayeredGraph_ReturnsNothing()
    {
        var cycle = FindCycle(["A", "B", "C"], [("C", "B"), ("C", "A"), ("B", "A")]);

        Assert.That(cycle, Is.Empty);
    }

    /// <summary>A cycle of the graph as its nodes, the first repeated at the end; empty when it has none.</summary>
    private static List<string> FindCycle(IEnumerable<string> nodes, IEnumerable<(string From, string To)> edges)
    {
        var next = edges.Distinct().GroupBy(edge => edge.From).ToDictionary(group => group.Key, group => group.Select(edge => edge.To).Order(StringComparer.Ordinal).ToList());
        var done = new HashSet<string>();
        var path = new List<string>();

        List<string>? Visit(string node)
        {
            if (path.IndexOf(node) is var at and >= 0)
            {
                return [.. path.Skip(at), node];
            }

            if (!done.Add(node))
            {
                return null;
            }

            path.Add(node);
            foreach (var target in next.GetValueOrDefault(node) ?? [])
            {
                if (Visit(target) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }

        foreach (var node in nodes.Order(StringComparer.Ordinal))
        {
            if (Visit(node) is { } cycle)
            {
                return cycle;
            }
        }

        return [];
    }
}
