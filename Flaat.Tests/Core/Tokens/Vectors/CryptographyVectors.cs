namespace Flaat.Tests.Core.Tokens.Vectors;

/// <summary>
/// The public signature corpus the vector tests read: Debian's <c>python3-cryptography-vectors</c>
/// (pyca/cryptography's test vectors: NIST CAVP FIPS 186 SigVer/SigGen response files and the
/// Ed25519 reference <c>sign.input</c>), installed by <c>.ci/run</c>. Not copied into this
/// repository; read from <c>FLAAT_CRYPTOGRAPHY_VECTORS</c>, where the package installs it, or, on a
/// Debian-like machine without it, from the package downloaded (<c>apt-get download</c>, no root
/// needed) and unpacked (<c>dpkg-deb -x</c>) into the temporary folder on first use, as the
/// end-to-end tests install their OP: so <c>dotnet test Flaat.sln</c> alone runs them.
/// </summary>
internal static class CryptographyVectors
{
    public const string EnvironmentVariable = "FLAAT_CRYPTOGRAPHY_VECTORS";
    public const string DebianPackage = "python3-cryptography-vectors";
    private const string DefaultRoot = "/usr/lib/python3/dist-packages/cryptography_vectors";

    private static readonly Lazy<string> Root = new(FindRoot, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The full path of a corpus file; fails the test (never skips it) when the corpus is missing.</summary>
    public static string File(string relativePath) => Locate(Root.Value, relativePath);

    private static string FindRoot()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            return configured;
        }

        if (Directory.Exists(DefaultRoot))
        {
            return DefaultRoot;
        }

        var unpacked = Path.Combine(Path.GetTempPath(), "flaat-" + DebianPackage);
        var root = unpacked + DefaultRoot;
        if (!Directory.Exists(root))
        {
            TryDownload(unpacked);
        }

        return root;
    }

    /// <summary>Downloads and unpacks the package without installing it; on failure the caller's message says what to do.</summary>
    private static void TryDownload(string target)
    {
        var work = Directory.CreateTempSubdirectory("flaat-vectors-");
        try
        {
            if (Run("apt-get", ["download", DebianPackage], work.FullName)
                && work.GetFiles("*.deb") is [var package]
                && Run("dpkg-deb", ["-x", package.FullName, work.FullName + "/unpacked"], work.FullName))
            {
                // One rename, so a concurrent or interrupted run never sees half a corpus.
                Directory.Move(work.FullName + "/unpacked", target);
            }
        }
        catch (IOException)
        {
            // Another test process won the rename; its copy is as good.
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static bool Run(string program, string[] arguments, string workingDirectory)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = System.Diagnostics.Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            errors.Wait();
            return process.WaitForExit(TimeSpan.FromMinutes(2)) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not a Debian-like machine: no apt-get or dpkg-deb.
            return false;
        }
    }

    /// <summary>The full path of <paramref name="relativePath"/> under <paramref name="root"/>.</summary>
    /// <exception cref="InvalidOperationException">The file is missing; the message says how to install the corpus.</exception>
    public static string Locate(string root, string relativePath)
    {
        var path = Path.Combine(root, relativePath);
        if (!System.IO.File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The signature test vectors are missing: {path} does not exist, and the Debian package {DebianPackage} " +
                $"could not be downloaded. Install it (`apt-get install -y --no-install-recommends {DebianPackage}`, as .ci/run does), " +
                $"or point {EnvironmentVariable} at a copy of its cryptography_vectors folder.");
        }

        return path;
    }

    /// <summary>Big-endian bytes of a hex number; an odd number of digits gets its leading zero back.</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Length % 2 == 0 ? hex : "0" + hex);

    /// <summary>Big-endian bytes of a hex number, left-padded with zeros to <paramref name="length"/> bytes.</summary>
    public static byte[] Hex(string hex, int length)
    {
        var bytes = Hex(hex);
        if (bytes.Length >= length)
        {
            return bytes;
        }

        var padded = new byte[length];
        bytes.CopyTo(padded, length - bytes.Length);
        return padded;
    }

    /// <summary>A big-endian unsigned number without its leading zero bytes (as a JWK's <c>n</c> and <c>e</c> are).</summary>
    public static byte[] Unsigned(string hex)
    {
        var bytes = Hex(hex);
        var start = 0;
        while (start < bytes.Length - 1 && bytes[start] == 0)
        {
            start++;
        }

        return bytes[start..];
    }
}

/// <summary>One record of a NIST CAVP response file, with the section (<c>[P-256,SHA-256]</c>, <c>[mod = 2048]</c>) it stands in.</summary>
internal sealed record NistRecord(int Index, string Section, IReadOnlyDictionary<string, string> Values)
{
    public string this[string key] => Values.TryGetValue(key, out var value)
        ? value
        : throw new InvalidOperationException($"Record {Index} in [{Section}] has no {key}");

    /// <summary>The corpus verdict of a SigVer record: <c>P</c> (pass) or <c>F (reason)</c>.</summary>
    public bool Passes => this["Result"].StartsWith('P');
}

/// <summary>
/// Reads NIST CAVP response files (<c>.rsp</c>): <c>[section]</c> lines, <c>key = value</c> lines and
/// comments. A value stays in force until it is given again (an RSA file states <c>n</c> once per
/// modulus size), and a record ends at <paramref name="lastKey"/> (<c>Result</c> for SigVer files,
/// <c>S</c> for SigGen files).
/// </summary>
internal static class NistResponseFile
{
    public static List<NistRecord> Read(string path, string lastKey)
    {
        var records = new List<NistRecord>();
        var section = string.Empty;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in System.IO.File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#' || line == "!!")
            {
                // Blank lines and comments; the CAVS PKCS#1 v1.5 encoding test file also has stray "!!" lines.
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                throw new FormatException($"{path}: unexpected line '{line}'");
            }

            var key = line[..equals].Trim();
            values[key] = line[(equals + 1)..].Trim();
            if (key == lastKey)
            {
                records.Add(new NistRecord(records.Count, section, new Dictionary<string, string>(values, StringComparer.Ordinal)));
            }
        }

        return records;
    }
}
