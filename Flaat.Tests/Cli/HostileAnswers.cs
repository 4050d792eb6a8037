using System.Text;

namespace Flaat.Tests.Cli;

/// <summary>Answers a hostile or broken oidc-agent could send: random bytes, broken and mistyped JSON, huge nesting, bad text.</summary>
internal static class HostileAnswers
{
    /// <summary>
    /// A value hostile answers carry as an access token (never in the agent's error text, which is shown
    /// as it is); no output may ever show it.
    /// </summary>
    public const string Secret = "SECRET-d41d8cd98f00b204";

    private static readonly string[] Values =
    [
        "null", "true", "0", "-1", "1e999", "9223372036854775808", "1.5", "\"\"", "\"success\"", "\"failure\"", "[]", "{}",
        "\"a.b.c\"", "\"\\ud800\"", "\"a\\u0000b\"", "\"\\u202e\\u001b[31m\"", "\"x y\"", "[\"tok\"]",
    ];

    private static readonly byte[] MutationBytes = [.. "{}[]\",:\\ 0e-"u8, 0x00, 0xFF, 0xC3];

    private static readonly string[] Names = ["status", "access_token", "issuer", "expires_at", "error", "info", "help", "account"];

    public static IEnumerable<byte[]> Generate(Random random, int count, string issuer)
    {
        for (var i = 0; i < count; i++)
        {
            yield return (i % 10) switch
            {
                0 => RandomBytes(random),
                1 => Utf8($"{{\"status\":\"success\",\"access_token\":{Value(random)},\"issuer\":{Value(random)},\"expires_at\":{Value(random)}}}"),
                2 => Utf8($"{{\"status\":\"failure\",\"error\":{Value(random)},\"info\":{Value(random)},\"access_token\":\"{Secret}\"}}"),
                3 => Truncated(random, Utf8($"{{\"status\":\"success\",\"access_token\":\"{Secret}\",\"issuer\":\"{issuer}\"}}")),
                4 => Mutated(random, Utf8($"{{\"access_token\":\"{Secret}\",\"status\":\"failure\",\"error\":\"no\"}}")),
                5 => Utf8(new string('[', random.Next(60, 2000)) + new string(']', random.Next(0, 2000))),
                6 => RandomObject(random),
                7 => Utf8($"{{\"status\":\"success\",\"access_token\":\"{Secret}.{Secret}.{Secret}\",\"issuer\":\"{issuer}\"}}"),
                8 => [.. Utf8("{\"status\":\"failure\",\"error\":\""), 0xFF, 0xC0, 0x80, .. Utf8("\"}")],
                _ => Utf8($"{{\"status\":\"failure\",\"error\":\"{new string('\u00e9', random.Next(1, 5000))}\"}} trailing {Secret}"),
            };
        }
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Value(Random random) => Values[random.Next(Values.Length)];

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 200)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Truncated(Random random, byte[] json) => json[..random.Next(1, json.Length)];

    private static byte[] Mutated(Random random, byte[] json)
    {
        var copy = json.ToArray();
        for (var flips = random.Next(1, 4); flips > 0; flips--)
        {
            copy[random.Next(copy.Length)] = MutationBytes[random.Next(MutationBytes.Length)];
        }

        return copy;
    }

    private static byte[] RandomObject(Random random)
    {
        var members = Enumerable.Range(0, random.Next(0, 6)).Select(_ => $"\"{Names[random.Next(Names.Length)]}\":{Value(random)}");
        return Utf8("{" + string.Join(',', members) + "}");
    }
}
