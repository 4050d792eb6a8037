using System.Text;
using CsCheck;
using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

/// <summary>
/// Property tests of the capability-scope parser and the path matcher, on generated hostile scopes
/// and request paths (dot segments, doubled slashes, percent-encoded and double-encoded dots,
/// slashes and backslashes, invalid escapes and UTF-8, control characters, lone surrogates): never an
/// exception, and never a pass that would place the request outside the granted path, neither as
/// the application reads it (the literal reading: a route value is already decoded, so not decoded
/// again) nor as a storage system which decodes repeatedly, treats backslashes as slashes and
/// resolves dot segments (the widest reading) would.
/// </summary>
public sealed class StoragePathPropertyTests
{
    private const long Iterations = 20_000;

    private static readonly string[] PathFragments =
    [
        "a", "b", "ab", "data", "/", "//", ".", "..", "/..", "../", "%2e", "%2E", "%2e%2e", "%2f", "%2F", "%5c", "%5C", "\\",
        "%25", "%252e", "%252f", "%", "%z", "%zz", "%c3%a4", "%ff", "%e2%82", "ä", "\u0000", "\n", " ", "%20", "%00", "?", "#",
        ";", ":", "\uD800", "\uD83D\uDE00", "~",
    ];

    private static readonly Gen<string> Fragment = Gen.OneOf(PathFragments.Select(Gen.Const).ToArray());

    private static readonly Gen<string> HostilePath = Gen.OneOf(Fragment.Array[0, 12].Select(string.Concat), Gen.String);

    private static readonly Gen<string> Granted = Gen.OneOf(Gen.Const("/"), Gen.Const("/a"), Gen.Const("/a/b"), Gen.Const("/data"), Gen.Const("/ab"));

    private static readonly string[] ScopeNames =
    [
        "storage.read", "storage.create", "storage.modify", "storage.stage", "compute.read", "compute.cancel", "read", "write",
        "storage.", "storage.read.x", "Storage.read", "openid", "",
    ];

    private static readonly Gen<string> Scope = Gen.Select(
            Gen.OneOf(ScopeNames.Select(Gen.Const).ToArray()),
            Gen.OneOf(Gen.Const(string.Empty), Gen.Const(":"), HostilePath.Select(p => ":" + p), HostilePath.Select(p => ":/" + p)))
        .Select((name, path) => name + path);

    private static readonly Gen<string> Scopes = Scope.Array[0, 4].Select(scopes => string.Join(' ', scopes));

    [Test]
    public void TryNormalizeScope_HostilePaths_NeverThrowsAndYieldsCanonicalForm()
    {
        HostilePath.Sample(path =>
        {
            if (!StoragePath.TryNormalizeScope(path, out var normalized, out var isDirectory, out var problem))
            {
                return problem.Length > 0;
            }

            return IsCanonical(normalized)
                && !normalized.Contains('%', StringComparison.Ordinal)
                && (!isDirectory || normalized != "/")
                && StoragePath.TryNormalizeScope(normalized, out var again, out _, out _) && again == normalized;
        }, iter: Iterations);
    }

    [Test]
    public void TryNormalizeRequest_HostilePaths_NeverThrowsNeverDecodes()
    {
        HostilePath.Sample(path =>
        {
            if (!StoragePath.TryNormalizeRequest(path, out var normalized, out var problem))
            {
                return problem.Length > 0;
            }

            return IsCanonical(normalized)
                && LiteralReading(path) is { } literal && normalized == "/" + string.Join('/', literal)
                && StoragePath.TryNormalizeRequest(normalized, out var again, out _) && again == normalized;
        }, iter: Iterations);
    }

    [TestCase("publi%63/x")]
    [TestCase("%70ublic/secret")]
    [TestCase("%70ubli%63")]
    public void Covers_EncodedRequestPath_NotDecodedAgain(string route)
    {
        Assert.That(StoragePath.TryNormalizeRequest("/" + route, out var normalized, out _) && StoragePath.Covers("/public", normalized), Is.False);
    }

    [TestCase("/100%", true)]
    [TestCase("/a%zz", true)]
    [TestCase("/a%2Fb", false)]
    [TestCase("/a%2fb", false)]
    [TestCase("/a%5Cb", false)]
    [TestCase("/a%5cb", false)]
    [TestCase("/a/..", false)]
    [TestCase("/a/../b", false)]
    [TestCase("..", false)]
    public void TryNormalizeRequest_PercentIsOrdinary_EncodedSeparatorsAndDotDotRefused(string path, bool accepted)
    {
        Assert.That(StoragePath.TryNormalizeRequest(path, out _, out _), Is.EqualTo(accepted));
    }

    [Test]
    public void Covers_RequestPath_NeverWiderThanTheLiteralOrWidestReading()
    {
        Gen.Select(Granted, HostilePath, Gen.Bool).Sample((granted, suffix, prefixed) =>
        {
            var request = (prefixed ? granted + "/" : string.Empty) + suffix;
            if (!StoragePath.TryNormalizeRequest(request, out var normalized, out _) || !StoragePath.Covers(granted, normalized))
            {
                return true;
            }

            return IsUnder(WidestReading(request), granted) && LiteralReading(request) is { } literal && IsUnder(literal, granted);
        }, iter: Iterations);
    }

    // WLCG v1.1: "If it has a trailing /, $PATH MUST be treated as a directory": storage.create:/foo/bar/ does not allow /foo/bar.
    [Test]
    public void Covers_DirectoryScope_OnlyBelow()
    {
        Assert.Multiple(() =>
        {
            Assert.That(StoragePath.TryNormalizeScope("/foo/bar/", out var dir, out var isDirectory, out _) && isDirectory && dir == "/foo/bar", Is.True);
            Assert.That(StoragePath.Covers(dir, "/foo/bar", isDirectory), Is.False);
            Assert.That(StoragePath.Covers(dir, "/foo/bar/x", isDirectory), Is.True);
            Assert.That(StoragePath.TryNormalizeScope("/foo/bar", out var file, out var isFile, out _) && !isFile, Is.True);
            Assert.That(StoragePath.Covers(file, "/foo/bar", isFile), Is.True);
            Assert.That(StoragePath.TryNormalizeScope("/", out _, out var root, out _) && !root, Is.True);
        });
    }

    [Test]
    public void Covers_PrefixThatIsNotASegment_NeverMatches()
    {
        var segment = Gen.Char["abcxyz"].Array[1, 5].Select(c => new string(c));
        var tail = Gen.Char["abc019-_.~"].Array[1, 4].Select(c => new string(c));
        Gen.Select(segment, segment, tail).Sample((parent, name, extra) =>
        {
            var granted = $"/{parent}/{name}";
            return !StoragePath.Covers(granted, granted + extra) && StoragePath.Covers(granted, granted + "/" + extra);
        }, iter: Iterations);
    }

    [Test]
    public void StorageRequirement_HostileScopesAndPaths_NeverThrowsNeverWidens()
    {
        var operations = Enum.GetValues<StorageOperation>();
        Gen.Select(Scopes, HostilePath, Gen.Int[0, operations.Length - 1], Gen.Int[0, 2]).Sample((scopes, path, op, profile) =>
        {
            var user = Users.WithToken(Json(scopes, profile));
            var operation = operations[op];
            var result = Wlcg.Storage(operation, "/{**path}").IsSatisfiedBy(user, WlcgCapabilityTests.Path(path));
            if (!result.IsSatisfied)
            {
                return true;
            }

            // A pass needs a scope of the token's profile that grants the operation on a path that,
            // read the widest way, holds the request read the widest way and read literally.
            var requested = WidestReading("/" + path);
            var literal = LiteralReading("/" + path);
            if (literal is null)
            {
                return false;
            }

            return scopes.Split(' ').Any(scope =>
            {
                var colon = scope.IndexOf(':', StringComparison.Ordinal);
                var name = colon < 0 ? scope : scope[..colon];
                var grantedPath = colon < 0 ? "/" : scope[(colon + 1)..];
                grantedPath = grantedPath.Length == 0 && profile == 1 ? "/" : grantedPath;
                return Grants(name, operation, profile)
                    && grantedPath.Length > 0
                    && !WidestReading(grantedPath).Contains("..")
                    && IsUnder(requested, "/" + string.Join('/', WidestReading(grantedPath)))
                    && IsUnder(literal, "/" + string.Join('/', WidestReading(grantedPath)));
            });
        }, iter: Iterations);
    }

    [Test]
    public void CapabilityScope_HostileScopes_NeverThrows()
    {
        Gen.OneOf(Scope, Gen.String).Sample(scope =>
        {
            var parsed = CapabilityScope.TryParse(scope, out var capability, out var problem);
            return parsed ? capability.Name.Length > 0 && problem.Length == 0 : true;
        }, iter: Iterations);
    }

    // The token's profile: 0 WLCG 1.0, 1 SciTokens 2.0, 2 none.
    private static string Json(string scopes, int profile)
    {
        var version = profile switch
        {
            0 => "\"wlcg.ver\":\"1.0\",",
            1 => "\"ver\":\"scitoken:2.0\",",
            _ => string.Empty,
        };
        return "{" + version + "\"sub\":\"s\",\"scope\":" + System.Text.Json.JsonSerializer.Serialize(scopes) + "}";
    }

    // The profiles' grants, written independently of CapabilityScope.Grants.
    private static bool Grants(string name, StorageOperation operation, int profile) => profile switch
    {
        0 => name switch
        {
            "storage.read" => operation == StorageOperation.Read,
            "storage.stage" => operation is StorageOperation.Read or StorageOperation.Stage,
            "storage.create" => operation == StorageOperation.Create,
            "storage.modify" => operation is StorageOperation.Create or StorageOperation.Modify,
            _ => false,
        },
        1 => name switch
        {
            "read" => operation == StorageOperation.Read,
            "write" => operation is StorageOperation.Create or StorageOperation.Modify,
            _ => false,
        },
        _ => false,
    };

    private static bool IsCanonical(string normalized) =>
        normalized.StartsWith('/')
        && !normalized.Contains("//", StringComparison.Ordinal)
        && normalized.Split('/').Skip(1).All(s => s is not "." and not ".." && (s.Length > 0 || normalized == "/"))
        && !normalized.Contains('\\', StringComparison.Ordinal);

    /// <summary>
    /// What the application makes of a request path (a route value, already decoded): no decoding,
    /// empty and dot segments dropped; <see langword="null"/> when it has a ".." segment.
    /// </summary>
    private static List<string>? LiteralReading(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                return null;
            }

            segments.Add(segment);
        }

        return segments;
    }

    private static bool IsUnder(List<string> segments, string granted)
    {
        var prefix = granted.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Count >= prefix.Length && prefix.SequenceEqual(segments.Take(prefix.Length), StringComparer.Ordinal);
    }

    /// <summary>
    /// What the most permissive storage system could make of a path: percent-decoded until nothing
    /// changes, backslashes as slashes, dot segments resolved (clamped at the root). A ".." left in
    /// the result means the path climbed above the root.
    /// </summary>
    private static List<string> WidestReading(string path)
    {
        for (var i = 0; i < 8; i++)
        {
            var decoded = LenientDecode(path);
            if (decoded == path)
            {
                break;
            }

            path = decoded;
        }

        var segments = new List<string>();
        foreach (var segment in path.Replace('\\', '/').Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count == 0)
                {
                    segments.Add("..");
                    return segments;
                }

                segments.RemoveAt(segments.Count - 1);
                continue;
            }

            segments.Add(segment);
        }

        return segments;
    }

    private static string LenientDecode(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                var length = char.IsSurrogatePair(text, i) ? 2 : 1;
                bytes.AddRange(Encoding.UTF8.GetBytes(text.Substring(i, length)));
                i += length - 1;
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }
}
