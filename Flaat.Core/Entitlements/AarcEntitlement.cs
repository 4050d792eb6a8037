using System.Diagnostics.CodeAnalysis;

namespace Flaat.Entitlements;

/// <summary>
/// An AARC entitlement (AARC-G002 / AARC-G069):
/// <c>urn:&lt;nid&gt;:&lt;delegated-namespace&gt;[:&lt;subnamespace&gt;]*:group:&lt;group&gt;[:&lt;subgroup&gt;]*[:role=&lt;role&gt;][#&lt;group-authority&gt;]</c>,
/// read as the Python package aarc-entitlement 1.x (used by flaat) reads it.
/// </summary>
/// <remarks>
/// <para>
/// Instances are immutable and thread-safe. They keep the normalised text once and address the parts
/// inside it, so parsing allocates little; the part properties (<see cref="Group"/>, <see cref="Subgroups"/>, ...)
/// create their strings when called.
/// </para>
/// <para>
/// Two entitlements are equal when every part but the group authority is equal (ordinal comparison
/// of the normalised parts), as in aarc-entitlement: the authority says who asserted the membership,
/// not what it grants. The <see cref="AarcSpec"/> a value was read by is not compared.
/// </para>
/// <para>
/// Two deliberate differences from aarc-entitlement's G069 normalisation: only real <c>%XX</c> hex
/// pairs get upper-case digits, both of them (the Python package upper-cases <c>%</c> followed by any two
/// lower-case letters or digits, turning <c>%zz</c> into <c>%ZZ</c> but leaving <c>%aB</c>); and the
/// namespace is lower-cased with the invariant culture's simple case mapping, which keeps every
/// character's length (Python's <c>str.lower</c> may lengthen a few characters such as U+0130).
/// </para>
/// </remarks>
public sealed partial class AarcEntitlement : IEquatable<AarcEntitlement>
{
    /// <summary>
    /// The longest value <see cref="TryParse"/> and <see cref="Parse"/> accept, in UTF-16 characters.
    /// Real entitlements are a few hundred characters long; longer input is refused before it is read.
    /// </summary>
    public const int MaxLength = 8192;

    private const int NamespaceIdStart = 4; // after "urn:"
    private const int GroupLiteralLength = 7; // ":group:"
    private const int RoleLiteralLength = 6; // ":role="

    private readonly string _text;
    private readonly int _namespaceIdEnd;
    private readonly int _delegatedNamespaceEnd;
    private readonly int _subnamespaceCount;
    private readonly int _groupEnd;
    private readonly int _roleStart;
    private readonly int _bodyEnd;

    // The end offsets of the subnamespaces, then of the subgroups; each part starts one character
    // (its ':') after the end of the part before it.
    private readonly int[] _ends;

    private AarcEntitlement(
        AarcSpec spec,
        string text,
        int namespaceIdEnd,
        int delegatedNamespaceEnd,
        int subnamespaceCount,
        int groupEnd,
        int roleStart,
        int bodyEnd,
        int[] ends)
    {
        Spec = spec;
        _text = text;
        _namespaceIdEnd = namespaceIdEnd;
        _delegatedNamespaceEnd = delegatedNamespaceEnd;
        _subnamespaceCount = subnamespaceCount;
        _groupEnd = groupEnd;
        _roleStart = roleStart;
        _bodyEnd = bodyEnd;
        _ends = ends;
    }

    /// <summary>The recommendation this entitlement was read by.</summary>
    public AarcSpec Spec { get; }

    /// <summary>The URN namespace id (the part after <c>urn:</c>); lower-cased under <see cref="AarcSpec.G069"/>.</summary>
    public string NamespaceId => NamespaceIdSpan.ToString();

    /// <summary>The delegated namespace (e.g. a domain name); lower-cased under <see cref="AarcSpec.G069"/>.</summary>
    public string DelegatedNamespace => DelegatedNamespaceSpan.ToString();

    /// <summary>The subnamespaces between the delegated namespace and <c>:group:</c>, outermost first; lower-cased under <see cref="AarcSpec.G069"/>.</summary>
    public IReadOnlyList<string> Subnamespaces => Materialise(0, _subnamespaceCount);

    /// <summary>The root group, as written (case-sensitive).</summary>
    public string Group => GroupSpan.ToString();

    /// <summary>The subgroups below <see cref="Group"/>, outermost first, as written (case-sensitive).</summary>
    public IReadOnlyList<string> Subgroups => Materialise(_subnamespaceCount, SubgroupCount);

    /// <summary>The role in the innermost group, or <see langword="null"/> when there is none.</summary>
    public string? Role => HasRole ? RoleSpan.ToString() : null;

    /// <summary>The group authority (the part after <c>#</c>), or <see langword="null"/> when there is none.</summary>
    public string? GroupAuthority => _bodyEnd < _text.Length ? _text[(_bodyEnd + 1)..] : null;

    private ReadOnlySpan<char> NamespaceIdSpan => _text.AsSpan(NamespaceIdStart, _namespaceIdEnd - NamespaceIdStart);

    private ReadOnlySpan<char> DelegatedNamespaceSpan => Slice(_namespaceIdEnd, _delegatedNamespaceEnd);

    private int NamespaceEnd => _subnamespaceCount == 0 ? _delegatedNamespaceEnd : _ends[_subnamespaceCount - 1];

    private ReadOnlySpan<char> GroupSpan => Slice(NamespaceEnd + GroupLiteralLength - 1, _groupEnd);

    private int SubgroupCount => _ends.Length - _subnamespaceCount;

    private bool HasRole => _roleStart >= 0;

    private ReadOnlySpan<char> RoleSpan => _text.AsSpan(_roleStart, _bodyEnd - _roleStart);

    /// <summary>
    /// Reads an entitlement. Never throws and never backtracks: the time is linear in the length of
    /// <paramref name="value"/>, and values longer than <see cref="MaxLength"/> are refused at once.
    /// </summary>
    /// <param name="value">The entitlement string, e.g. a value of the <c>eduperson_entitlement</c> claim.</param>
    /// <param name="spec">The recommendation to read it by.</param>
    /// <param name="entitlement">The entitlement, or <see langword="null"/> when <paramref name="value"/> is not one.</param>
    /// <returns>Whether <paramref name="value"/> is a valid entitlement under <paramref name="spec"/>.</returns>
    public static bool TryParse(string? value, AarcSpec spec, [NotNullWhen(true)] out AarcEntitlement? entitlement) =>
        Read(value, spec, out entitlement, out _) == ParseError.None;

    /// <summary>Reads an entitlement, or says precisely why <paramref name="value"/> is not one.</summary>
    /// <param name="value">The entitlement string, at most <see cref="MaxLength"/> characters.</param>
    /// <param name="spec">The recommendation to read it by; AARC-G069 unless given.</param>
    /// <returns>The entitlement.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="spec"/> is not a defined <see cref="AarcSpec"/>.</exception>
    /// <exception cref="FormatException"><paramref name="value"/> is not a valid entitlement; the message says what is wrong and where.</exception>
    public static AarcEntitlement Parse(string value, AarcSpec spec = AarcSpec.G069)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!Enum.IsDefined(spec))
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec, "Unknown AARC specification.");
        }

        var error = Read(value, spec, out var entitlement, out var position);
        return error == ParseError.None ? entitlement! : throw new FormatException(Describe(value, spec, error, position));
    }

    /// <summary>
    /// Whether this entitlement (one the user has) grants what <paramref name="required"/> asks for:
    /// the same namespace id and delegated namespace; the required subnamespaces are a prefix of these;
    /// the same group; the required subgroups are a prefix of these (a member of a subgroup is a member
    /// of its parents); and, when a role is required, the same role in the very same subgroup. The
    /// group authority is ignored.
    /// </summary>
    /// <param name="required">The entitlement a resource asks for.</param>
    /// <returns><see langword="true"/> when this entitlement is equal to or more specific than <paramref name="required"/>.</returns>
    public bool Satisfies(AarcEntitlement required)
    {
        ArgumentNullException.ThrowIfNull(required);
        if (!NamespaceIdSpan.SequenceEqual(required.NamespaceIdSpan)
            || !DelegatedNamespaceSpan.SequenceEqual(required.DelegatedNamespaceSpan)
            || required._subnamespaceCount > _subnamespaceCount
            || !GroupSpan.SequenceEqual(required.GroupSpan)
            || required.SubgroupCount > SubgroupCount)
        {
            return false;
        }

        for (var i = 0; i < required._subnamespaceCount; i++)
        {
            if (!Part(i).SequenceEqual(required.Part(i)))
            {
                return false;
            }
        }

        for (var i = 0; i < required.SubgroupCount; i++)
        {
            if (!Part(_subnamespaceCount + i).SequenceEqual(required.Part(required._subnamespaceCount + i)))
            {
                return false;
            }
        }

        return !required.HasRole
            || (HasRole && RoleSpan.SequenceEqual(required.RoleSpan) && SubgroupCount == required.SubgroupCount);
    }

    /// <inheritdoc />
    public bool Equals(AarcEntitlement? other)
    {
        if (other is null)
        {
            return false;
        }

        // The text before '#' is a function of the parts, but not every such text reads back into the
        // same parts, so compare the parts themselves.
        return ReferenceEquals(this, other)
            || (_subnamespaceCount == other._subnamespaceCount
                && SubgroupCount == other.SubgroupCount
                && HasRole == other.HasRole
                && Satisfies(other));
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as AarcEntitlement);

    /// <inheritdoc />
    public override int GetHashCode() => string.GetHashCode(_text.AsSpan(0, _bodyEnd), StringComparison.Ordinal);

    /// <summary>
    /// The normalised entitlement: <c>urn:</c>, the namespace parts, <c>:group:</c>, the groups, the role
    /// and the authority. Under <see cref="AarcSpec.G069"/> the namespace is lower-cased, RFC 8141
    /// components are dropped and percent-encodings have upper-case hex digits; under AARC-G002 it is
    /// the percent-decoded value, where a <c>%</c> that would read as an escape is written <c>%25</c>, so
    /// the text reads back as this entitlement instead of being decoded twice.
    /// </summary>
    public override string ToString() => Spec == AarcSpec.G069 ? _text : PercentEncoding.EscapeEscapes(_text);

    private ReadOnlySpan<char> Slice(int separator, int end) => _text.AsSpan(separator + 1, end - separator - 1);

    // Part i of _ends: subnamespaces first, then subgroups.
    private ReadOnlySpan<char> Part(int i)
    {
        var separator = i == _subnamespaceCount ? _groupEnd
            : i == 0 ? _delegatedNamespaceEnd
            : _ends[i - 1];
        return Slice(separator, _ends[i]);
    }

    private string[] Materialise(int first, int count)
    {
        if (count == 0)
        {
            return [];
        }

        var parts = new string[count];
        for (var i = 0; i < count; i++)
        {
            parts[i] = Part(first + i).ToString();
        }

        return parts;
    }
}
