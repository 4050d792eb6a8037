using System.Text;
using System.Text.RegularExpressions;
using Flaat.Entitlements;

namespace Flaat.Tests.Core.Entitlements;

/// <summary>
/// Differential tests: the hand-written reader against the grammar of aarc-entitlement 1.x written
/// as a backtracking .NET regular expression (same greedy/lazy priorities as Python's engine), on
/// many random values built from the characters that matter. Short values keep the regex fast.
/// </summary>
public sealed class AarcEntitlementOracleTests
{
    private const string Namespace = @"(?<nid>[^:]+):(?<dns>[^:?#]+)(?::(?<sub>[^:?#]+))*";
    private const string UrnComponents = @"(?:\?\+[^?#:]+)?(?:\?=[^#:]+)?(?:#[^:]+)?";
    private const string Groups = @":group:(?<group>[^:#]+)(?::(?<sg>[^:#]+))*?(?::role=(?<role>[^#]+))?";
    private const string Authority = "#(?<auth>.+)";

    private static readonly Dictionary<AarcSpec, Regex> Oracles = new()
    {
        [AarcSpec.G069] = new($"^[uU][rR][nN]:{Namespace}{UrnComponents}{Groups}(?:{Authority})?\\z", RegexOptions.CultureInvariant),
        [AarcSpec.G002] = new($"^urn:{Namespace}{Groups}(?:{Authority})?\\z", RegexOptions.CultureInvariant),
        [AarcSpec.G002Strict] = new($"^urn:{Namespace}{Groups}{Authority}\\z", RegexOptions.CultureInvariant),
    };

    private static readonly Regex HexPair = new("%[0-9a-fA-F]{2}", RegexOptions.CultureInvariant);

    private static readonly string[] Pieces =
    [
        ":", ":", ":", ":", "group", "group", ":group:", ":group:", "role=", ":role=", "#", "#", "?", "?+", "?=",
        "a", "b", "B", "xy", "%", "%3a", "%3A", "%c3%a4", "%23", "%zz", "\n", "\t", "ä", "=", "+",
    ];

    private static readonly string[] Starts = ["urn:", "urn:n:d", "urn:n:d:", "URN:N:D", "uRn:", "urn:n:d:group:g", "", "ur"];

    private static IEnumerable<string> RandomValues(int seed, int count)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var builder = new StringBuilder(Starts[random.Next(Starts.Length)]);
            var pieces = random.Next(0, 12);
            for (var j = 0; j < pieces; j++)
            {
                builder.Append(Pieces[random.Next(Pieces.Length)]);
            }

            yield return builder.ToString();
        }
    }

    [Test]
    public void TryParse_RandomValues_AgreesWithTheReferenceGrammar([Values] AarcSpec spec)
    {
        var disagreements = new List<string>();
        var valid = 0;
        foreach (var value in RandomValues(seed: 20261123 + (int)spec, count: 60_000))
        {
            var decoded = spec == AarcSpec.G069 ? value : PercentEncoding.Decode(value);
            var match = Oracles[spec].Match(decoded);
            var parsed = AarcEntitlement.TryParse(value, spec, out var entitlement);
            if (parsed != match.Success)
            {
                disagreements.Add($"{Show(value)}: reader {parsed}, grammar {match.Success}");
                continue;
            }

            if (!parsed)
            {
                continue;
            }

            valid++;
            var expected = Expected(match, spec);
            var actual = Describe(entitlement!);
            if (expected != actual)
            {
                disagreements.Add($"{Show(value)}:\n  grammar {Show(expected)}\n  reader  {Show(actual)}");
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(disagreements, Is.Empty, string.Join("\n", disagreements.Take(20)));
            Assert.That(valid, Is.GreaterThan(1500), "too few valid values to say much");
        });
    }

    private static string Expected(Match m, AarcSpec spec)
    {
        var g069 = spec == AarcSpec.G069;
        string Ns(string v) => g069 ? v.ToLowerInvariant() : v;
        string Grp(string v) => g069 ? HexPair.Replace(v, h => h.Value.ToUpperInvariant()) : v;
        var subnamespaces = m.Groups["sub"].Captures.Select(c => Ns(c.Value));
        var subgroups = m.Groups["sg"].Captures.Select(c => Grp(c.Value));
        var role = m.Groups["role"].Success ? Grp(m.Groups["role"].Value) : null;
        var authority = m.Groups["auth"].Success ? Grp(m.Groups["auth"].Value) : null;
        var text = $"urn:{Ns(m.Groups["nid"].Value)}:{Ns(m.Groups["dns"].Value)}{string.Concat(subnamespaces.Select(s => ":" + s))}"
            + $":group:{Grp(m.Groups["group"].Value)}{string.Concat(subgroups.Select(s => ":" + s))}"
            + (role is null ? string.Empty : ":role=" + role) + (authority is null ? string.Empty : "#" + authority);
        return Format(Ns(m.Groups["nid"].Value), Ns(m.Groups["dns"].Value), subnamespaces, Grp(m.Groups["group"].Value), subgroups, role, authority, text);
    }

    private static string Describe(AarcEntitlement e) =>
        Format(e.NamespaceId, e.DelegatedNamespace, e.Subnamespaces, e.Group, e.Subgroups, e.Role, e.GroupAuthority, e.ToString());

    private static string Format(
        string nid, string dns, IEnumerable<string> subnamespaces, string group, IEnumerable<string> subgroups, string? role, string? authority, string text) =>
        $"nid={nid} dns={dns} sub=[{string.Join('|', subnamespaces)}] group={group} sg=[{string.Join('|', subgroups)}] role={role ?? "<none>"} auth={authority ?? "<none>"} text={text}";

    private static string Show(string value) => value.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
}
