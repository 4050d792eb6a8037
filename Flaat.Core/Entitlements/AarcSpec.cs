namespace Flaat.Entitlements;

/// <summary>The AARC recommendation an entitlement string is read by.</summary>
public enum AarcSpec
{
    /// <summary>
    /// AARC-G069 (the current recommendation): the <c>urn</c> prefix is case-insensitive; the namespace
    /// id, delegated namespace and subnamespaces are lower-cased; RFC 8141 <c>?+</c>, <c>?=</c> and
    /// <c>#</c> components after the namespace are accepted and ignored; percent-encodings are kept
    /// (with upper-case hex digits), not decoded; the group authority is optional.
    /// </summary>
    G069,

    /// <summary>
    /// AARC-G002 as read leniently: lower-case <c>urn</c> only, the whole value is percent-decoded before
    /// it is parsed, every part is kept as written, and the group authority is optional.
    /// </summary>
    G002,

    /// <summary>AARC-G002 as written: like <see cref="G002"/>, but the group authority (<c>#...</c>) is required.</summary>
    G002Strict,
}
