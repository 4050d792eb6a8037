using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Flaat.Testing;

namespace Flaat.Tests.Docs;

/// <summary>
/// The packages as a user installs them and the README samples as a user pastes them. Once per run:
/// every packable project of Flaat.sln is packed (already built: <c>--no-build</c>) into a temporary
/// folder outside the repository with a version of its own (so NuGet's global cache never serves
/// an older build under the same version; removed from it afterwards); each template a sample names
/// in its first line (<c>// dotnet new web &amp;&amp; dotnet add package Flaat.AspNetCore</c>) is made once
/// with <c>dotnet new</c>; each sample gets a copy of its template with its file (a sample with
/// top-level statements is the <c>Program.cs</c>, any other a file beside it) and exactly the packages
/// its first line names, from a nuget.config with the local folder and nuget.org; one restore and one
/// parallel build make them all. The root README's minimal-API sample then runs against a fake OP.
/// </summary>
[NonParallelizable]
public sealed partial class ReadmeSampleTests
{
    // An upper bound only (an AOT publish on a busy machine takes many minutes).
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(30);

    private string _root = null!;
    private DirectoryInfo _work = null!;
    private string _packages = null!;
    private string _version = null!;
    private List<Sample> _samples = null!;
    private int _buildExitCode;
    private string _buildOutput = string.Empty;

    [OneTimeSetUp]
    public async Task PackAndBuildSamples()
    {
        _root = RepositoryRoot();
        _work = Directory.CreateTempSubdirectory("flaat-readme-samples-");
        Assert.That(_work.FullName.StartsWith(_root, StringComparison.Ordinal), Is.False, "the samples must live outside the repository");
        _packages = Directory.CreateDirectory(Path.Combine(_work.FullName, "packages")).FullName;
        _version = $"1.0.0-readme.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var versionSuffix = _version["1.0.0-".Length..];

        var (packExit, packOutput) = await RunAsync(_root, "pack", Path.Combine(_root, "Flaat.sln"), "--no-build", "-c", BuildConfiguration(),
            "-o", _packages, $"-p:VersionSuffix={versionSuffix}", "-nologo", "-clp:NoSummary");
        Assert.That(packExit, Is.EqualTo(0), () => "dotnet pack failed:\n" + Errors(packOutput));

        await File.WriteAllTextAsync(Path.Combine(_work.FullName, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="flaat-local" value="{_packages}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
            </configuration>
            """);

        _samples = ReadmePaths().SelectMany(path => Samples(path)).ToList();
        var templates = new Dictionary<string, string>();
        foreach (var sample in _samples)
        {
            if (sample.Template is not { } template || templates.ContainsKey(template.Key))
            {
                continue;
            }

            var directory = Path.Combine(_work.FullName, "templates", $"t{templates.Count}");
            var arguments = new List<string> { "new" };
            arguments.AddRange(template.Arguments);
            if (!template.Arguments.Contains("-n"))
            {
                arguments.AddRange(["-n", "Sample"]);
            }

            arguments.AddRange(["-o", directory, "--no-restore"]);
            var (exit, output) = await RunAsync(_work.FullName, [.. arguments]);
            Assert.That(exit, Is.EqualTo(0), () => $"dotnet {string.Join(' ', arguments)} failed:\n{output}");
            templates[template.Key] = directory;
        }

        var projects = new List<string>();
        foreach (var sample in _samples.Where(sample => sample.Template is not null))
        {
            sample.Directory = Path.Combine(_work.FullName, "samples", sample.Name);
            CopyDirectory(templates[sample.Template!.Key], sample.Directory);
            var project = Directory.GetFiles(sample.Directory, "*.csproj").Single();
            var topLevel = HasTopLevelStatements(sample.Code);
            File.WriteAllText(Path.Combine(sample.Directory, topLevel ? "Program.cs" : "ReadmeSample.cs"), sample.Code);
            AddPackages(project, sample.Packages);
            sample.Project = project;
            projects.Add(project);
        }

        // The first minimal-API sample of the root README runs later against a fake OP on a port fixed now.
        RunnableSample.Port = FreePort();
        await File.WriteAllTextAsync(Path.Combine(RunnableSample.Directory!, "appsettings.json"),
            $$"""{ "Flaat": { "TrustedIssuers": [ "http://127.0.0.1:{{RunnableSample.Port}}" ] }, "Logging": { "LogLevel": { "Default": "Information" } } }""");

        (_buildExitCode, _buildOutput) = await BuildAsync(projects);
    }

    [OneTimeTearDown]
    public void RemoveWork()
    {
        // Our packages' one-off version leaves NuGet's global cache with the temporary folder.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        if (_version is not null && Directory.Exists(cache))
        {
            foreach (var package in Directory.GetDirectories(cache, "flaat.*"))
            {
                var cached = Path.Combine(package, _version);
                if (Directory.Exists(cached))
                {
                    Directory.Delete(cached, recursive: true);
                }
            }
        }

        _work?.Delete(recursive: true);
    }

    [Test]
    public void Pack_EveryShippedProject_MakesPackageAndSymbols()
    {
        var expected = ShippedProjects().Select(Path.GetFileNameWithoutExtension).Select(PackageId).Order().ToList();
        var packed = Directory.GetFiles(_packages, "*.nupkg").Select(Path.GetFileName).Order().ToList();
        var symbols = Directory.GetFiles(_packages, "*.snupkg").Select(Path.GetFileName).Order().ToList();

        Assert.Multiple(() =>
        {
            Assert.That(expected, Is.Not.Empty);
            Assert.That(packed, Is.EqualTo(expected.Select(id => $"{id}.{_version}.nupkg").ToList()), "exactly the shipped libraries and the tool");
            Assert.That(symbols, Is.EqualTo(expected.Select(id => $"{id}.{_version}.snupkg").ToList()));
        });
    }

    [Test]
    public void Packages_Metadata_ReadmeIconLicenseUrlsTagsAndNotes()
    {
        Assert.Multiple(() =>
        {
            foreach (var package in Directory.GetFiles(_packages, "*.nupkg"))
            {
                using var zip = ZipFile.OpenRead(package);
                var metadata = Nuspec(zip).Root!.Element(Ns(zip) + "metadata")!;
                string? Get(string name) => metadata.Element(Ns(zip) + name)?.Value;
                var name = Path.GetFileName(package);

                Assert.That(Get("version"), Is.EqualTo(_version), name);
                Assert.That(Get("readme"), Is.EqualTo("README.md"), name);
                Assert.That(zip.GetEntry("README.md"), Is.Not.Null, name);
                Assert.That(Get("icon"), Is.EqualTo("icon.png"), name);
                Assert.That(zip.GetEntry("icon.png")?.Length, Is.GreaterThan(0), name);
                Assert.That(metadata.Element(Ns(zip) + "license")?.Value, Is.EqualTo("MIT"), name);
                Assert.That(Get("projectUrl"), Does.StartWith("https://"), name);
                Assert.That(Get("tags"), Does.Contain("oidc"), name);
                Assert.That(Get("copyright"), Is.Not.Empty, name);
                Assert.That(Get("releaseNotes"), Does.Contain("CHANGELOG.md"), name);
                Assert.That(Get("description"), Is.Not.Empty, name);
                Assert.That(metadata.Element(Ns(zip) + "repository")?.Attribute("url")?.Value, Does.StartWith("https://"), name);
            }
        });
        Assert.That(File.Exists(Path.Combine(_root, "LICENSE")) && File.Exists(Path.Combine(_root, "SECURITY.md")) && File.Exists(Path.Combine(_root, "CHANGELOG.md")), Is.True);
    }

    [Test]
    public void Packages_Dependencies_SiblingsExactOthersAtTestedFloors()
    {
        var siblings = Directory.GetFiles(_packages, "*.nupkg").Select(path => Path.GetFileName(path)[..^$".{_version}.nupkg".Length]).ToHashSet();
        var floors = PackageVersions();
        Assert.Multiple(() =>
        {
            foreach (var package in Directory.GetFiles(_packages, "*.nupkg"))
            {
                using var zip = ZipFile.OpenRead(package);
                foreach (var dependency in Nuspec(zip).Descendants(Ns(zip) + "dependency"))
                {
                    var id = dependency.Attribute("id")!.Value;
                    var range = dependency.Attribute("version")!.Value;
                    if (siblings.Contains(id))
                    {
                        Assert.That(range, Is.EqualTo($"[{_version}]"), $"{Path.GetFileName(package)} -> {id}: siblings move in lockstep");
                    }
                    else
                    {
                        Assert.That(range, Is.EqualTo(floors[id]), $"{Path.GetFileName(package)} -> {id}: the floor is the version the tests run with");
                    }
                }
            }
        });
    }

    [Test]
    public void ToolPackage_RuntimeConfig_RollsForwardToNewerMajorRuntimes()
    {
        using var zip = ZipFile.OpenRead(Directory.GetFiles(_packages, "Flaat.Cli.*.nupkg").Single());
        var config = zip.Entries.Single(entry => entry.FullName.EndsWith("flaat-userinfo.runtimeconfig.json", StringComparison.Ordinal));
        using var reader = new StreamReader(config.Open());

        Assert.That(reader.ReadToEnd(), Does.Contain("\"rollForward\": \"Major\""));
    }

    [Test]
    public void Samples_EveryCSharpBlock_NamesItsTemplateAndPackages()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_samples.Select(sample => sample.Readme).Distinct().Count(), Is.GreaterThanOrEqualTo(5), "the root README and the package READMEs with samples");
            foreach (var sample in _samples)
            {
                Assert.That(sample.Template, Is.Not.Null,
                    $"{sample.Name}: a C# sample starts with the commands that make its project, e.g. '// dotnet new web && dotnet add package Flaat.AspNetCore'");
            }
        });
    }

    [Test]
    public void Samples_PastedIntoTemplateProjects_BuildWithOnlyTheNamedPackages()
    {
        Assert.That(_buildExitCode, Is.EqualTo(0), () => "README samples do not build as pasted:\n" + Errors(_buildOutput));
    }

    [Test]
    public async Task MinimalApiSample_AgainstFakeProvider_401WithoutToken200And403WithTokens()
    {
        Assert.That(_buildExitCode, Is.EqualTo(0), "the samples did not build");
        await using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { Port = RunnableSample.Port });
        var admin = op.CreateJwt(new FakeUser("alice").WithClaim("groups", new[] { "admins" }));
        var user = op.CreateJwt(new FakeUser("bob").WithClaim("groups", new[] { "users" }));
        var dll = Path.Combine(RunnableSample.Directory!, "bin", "Debug", "net10.0", Path.GetFileNameWithoutExtension(RunnableSample.Project!) + ".dll");
        await using var app = await AppProcess.StartAsync(dll, TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(20) };

        async Task<HttpStatusCode> GetAsync(string path, string? token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await GetAsync("/info", null), Is.EqualTo(HttpStatusCode.Unauthorized), app.Output);
            Assert.That(await GetAsync("/info", user), Is.EqualTo(HttpStatusCode.OK), app.Output);
            Assert.That(await GetAsync("/admin", admin), Is.EqualTo(HttpStatusCode.OK), app.Output);
            Assert.That(await GetAsync("/admin", user), Is.EqualTo(HttpStatusCode.Forbidden), app.Output);
        });
    }

    private Sample RunnableSample =>
        _samples.First(sample => sample.Readme == "README.md" && sample.Template?.Key == "web" && sample.Code.Contains("RequireFlaatAccessLevel(\"admin\")", StringComparison.Ordinal) && sample.Code.Contains("\"/info\"", StringComparison.Ordinal));

    /// <summary>The root README and the README of every packed project.</summary>
    private IEnumerable<string> ReadmePaths() =>
        new[] { "README.md" }.Concat(ShippedProjects().Select(project => Path.GetRelativePath(_root, Path.Combine(Path.GetDirectoryName(project)!, "README.md"))))
            .Where(path => File.Exists(Path.Combine(_root, path)));

    /// <summary>The projects the build packs: shipped libraries and the tool (Directory.Build.targets).</summary>
    private IEnumerable<string> ShippedProjects() =>
        Directory.GetDirectories(_root)
            .SelectMany(directory => Directory.GetFiles(directory, "*.csproj"))
            .Where(project => File.ReadAllText(project) is var text
                && (text.Contains("<IsShippedLibrary>true</IsShippedLibrary>", StringComparison.Ordinal) || text.Contains("<PackAsTool>true</PackAsTool>", StringComparison.Ordinal)));

    private string PackageId(string? projectName)
    {
        var project = ShippedProjects().Single(path => Path.GetFileNameWithoutExtension(path) == projectName);
        return PackageIdElement().Match(File.ReadAllText(project)) is { Success: true } id ? id.Groups[1].Value : projectName!;
    }

    private IEnumerable<Sample> Samples(string readme)
    {
        var markdown = File.ReadAllText(Path.Combine(_root, readme)).Replace("\r", "", StringComparison.Ordinal);
        var index = 0;
        foreach (Match block in CSharpBlock().Matches(markdown))
        {
            var code = block.Groups["code"].Value;
            var header = SampleHeader().Match(code.Split('\n')[0]);
            var sample = new Sample(readme, $"{NonWord().Replace(Path.GetDirectoryName(readme) is { Length: > 0 } d ? d : "root", "_")}_{index++}", code);
            if (header.Success)
            {
                sample.Template = new TemplateCommand(header.Groups["template"].Value.Trim());
                sample.Packages = [.. header.Groups["package"].Captures.Select(capture => capture.Value)];
            }

            yield return sample;
        }
    }

    private void AddPackages(string project, IReadOnlyList<string> packages)
    {
        // What `dotnet add package` writes, without one restore per package: Flaat's packages at the
        // version just packed, others at the version the repository's tests use.
        var versions = PackageVersions();
        var references = string.Join(Environment.NewLine, packages.Select(id =>
            $"""    <PackageReference Include="{id}" Version="{(id.StartsWith("Flaat.", StringComparison.Ordinal) ? _version : versions[id])}" />"""));
        var text = File.ReadAllText(project);
        var end = text.LastIndexOf("</Project>", StringComparison.Ordinal);
        File.WriteAllText(project, text[..end] + $"  <ItemGroup>{Environment.NewLine}{references}{Environment.NewLine}  </ItemGroup>{Environment.NewLine}</Project>{Environment.NewLine}");
    }

    private Dictionary<string, string> PackageVersions() =>
        XDocument.Load(Path.Combine(_root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(element => element.Attribute("Include")!.Value, element => element.Attribute("Version")!.Value, StringComparer.OrdinalIgnoreCase);

    private async Task<(int ExitCode, string Output)> BuildAsync(IEnumerable<string> projects)
    {
        // One restore and one parallel build for every sample project.
        var traversal = Path.Combine(_work.FullName, "Samples.proj");
        await File.WriteAllTextAsync(traversal, $"""
            <Project>
              <ItemGroup>
            {string.Join(Environment.NewLine, projects.Select(project => $"""    <SampleProject Include="{project}" />"""))}
              </ItemGroup>
              <Target Name="Build">
                <MSBuild Projects="@(SampleProject)" Targets="Restore" Properties="MSBuildRestoreSessionId=$([System.Guid]::NewGuid())" BuildInParallel="true" />
                <MSBuild Projects="@(SampleProject)" Targets="Build" Properties="Configuration=Debug" BuildInParallel="true" />
              </Target>
            </Project>
            """);
        return await RunAsync(_work.FullName, "build", traversal, "-nologo", "-m", "-clp:NoSummary");
    }

    private static bool HasTopLevelStatements(string code) =>
        code.Split('\n').Select(line => line.TrimEnd()).FirstOrDefault(line => line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal) && !line.StartsWith("using ", StringComparison.Ordinal)) is { } first
        && !TypeStart().IsMatch(first);

    private static XDocument Nuspec(ZipArchive zip)
    {
        using var stream = zip.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XDocument.Load(stream);
    }

    private static XNamespace Ns(ZipArchive zip) => Nuspec(zip).Root!.Name.Namespace;

    private static string Errors(string output) =>
        string.Join(Environment.NewLine, output.Split('\n').Where(line => line.Contains("error", StringComparison.OrdinalIgnoreCase)).Distinct().Take(60));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new AssertionException($"dotnet {string.Join(' ', arguments)} took longer than {CommandTimeout}");
        }

        return (process.ExitCode, await output + await error);
    }

    private static string BuildConfiguration() => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Flaat.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Flaat.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"^// dotnet new (?<template>[^&]+?)(?: && dotnet add package (?<package>[\w.]+))+\s*$")]
    private static partial Regex SampleHeader();

    [GeneratedRegex(@"^(\[|public |internal |sealed |abstract |static class |class |record |namespace )")]
    private static partial Regex TypeStart();

    [GeneratedRegex(@"<PackageId>([^<]+)</PackageId>")]
    private static partial Regex PackageIdElement();

    [GeneratedRegex(@"\W")]
    private static partial Regex NonWord();

    private sealed class Sample(string readme, string name, string code)
    {
        public string Readme { get; } = readme;

        public string Name { get; } = name;

        public string Code { get; } = code;

        public TemplateCommand? Template { get; set; }

        public IReadOnlyList<string> Packages { get; set; } = [];

        public string? Directory { get; set; }

        public string? Project { get; set; }

        public int Port { get; set; }
    }

    private sealed record TemplateCommand(string Command)
    {
        public string Key => Command;

        public string[] Arguments => Command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
