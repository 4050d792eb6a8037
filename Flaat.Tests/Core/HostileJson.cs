using CsCheck;

namespace Flaat.Tests.Core;

/// <summary>
/// Generators of hostile JSON for the property tests of the parsers of what OPs send: every kind of
/// value, wrong types, huge and odd numbers, strings an OP should never send, nested junk, and URLs
/// that must not be used (http to a remote host, non-http schemes, relative, broken).
/// </summary>
internal static class HostileJson
{
    /// <summary>URLs, good and bad, as JSON strings.</summary>
    public static readonly string[] Urls =
    [
        "\"https://op.example\"", "\"https://op.example/userinfo\"", "\"https://OP.example:8443/a?b=c#d\"",
        "\"http://op.example/x\"", "\"http://127.0.0.1/x\"", "\"http://localhost:8080/\"", "\"http://[::1]/k\"",
        "\"http://127.0.0.1.evil.example/\"", "\"http://0x7f000001/\"", "\"http://2130706433/\"", "\"HTTP://op.example/\"",
        "\"ftp://op.example\"", "\"file:///etc/passwd\"", "\"javascript:alert(1)\"", "\"//op.example/x\"", "\"/relative\"",
        "\"https://\"", "\"https://op.example:99999/\"", "\"https://op .example/\"", "\"https://op.example/\\u0000\"",
        "\"https://user:pass@op.example/\"", "\"https://xn--e1afmkfd.example/\"", "\"https://пример.example/\"",
    ];

    /// <summary>Any other JSON value: wrong types, odd numbers, odd strings, nesting.</summary>
    public static readonly string[] Junk =
    [
        "null", "true", "false", "0", "-0", "1.5", "1e400", "-1e400", "123456789012345678901234567890", "1E-400",
        "\"\"", "\" \"", "\"x\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\uD83D\\uDE00\"", "\"é\"",
        "[]", "{}", "[null]", "[\"https://op.example\"]", "{\"a\":{\"b\":[1,{\"c\":null}]}}", "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
        "\"" + new string('a', 10_000) + "\"",
    ];

    /// <summary>One JSON value: a URL or junk.</summary>
    public static readonly Gen<string> Value = Gen.OneOf(Urls.Concat(Junk).Select(v => Gen.Const(v)).ToArray());

    /// <summary>A JSON object with some of the given members (each a hostile value) and junk members.</summary>
    public static Gen<string> Object(params (string Name, Gen<string> Value)[] members)
    {
        var parts = Gen.Const(Array.Empty<string>());
        foreach (var (name, value) in members)
        {
            var member = Gen.Frequency((1, Gen.Const((string?)null)), (3, value.Select(v => (string?)$"\"{name}\":{v}")));
            parts = parts.SelectMany(list => member.Select(m => m is null ? list : [.. list, m]));
        }

        // Junk members, some named with an escaped lone surrogate (valid JSON, but reading the name throws).
        var extras = Gen.Select(Gen.Frequency((9, Gen.String[Gen.Char["abc_"], 0, 3].Select(n => "x" + n)), (1, Gen.Const("\\ud800"))), Value).Array[0, 3]
            .Select(items => items.Select(e => $"\"{e.Item1}\":{e.Item2}").ToArray());
        return Gen.Select(parts, extras, Gen.Bool).Select((members, junk, junkFirst) =>
            "{" + string.Join(",", junkFirst ? [.. junk, .. members] : [.. members, .. junk]) + "}");
    }
}
