using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Flaat.Tests.Docs;

/// <summary>
/// Every C# sample of every README compiles against exactly the packages that README is about: a
/// fresh project per README (project references stand for the packages) with the ASP.NET Core
/// SDK's implicit usings, the namespaces of those packages, and stubs for what the sample takes
/// from the reader's own application (generated gRPC types, a token). One <c>dotnet build</c> builds
/// them all in parallel. <see cref="AspNetCore.SnippetTests"/> and <see cref="Testing.ReadmeExampleTests"/>
/// also run samples; this test only proves each compiles with the packages its README names.
/// </summary>
[NonParallelizable]
public sealed partial class ReadmeCompileTests
{
    private const string GrpcStubs = """
        public static class Hello
        {
            public abstract class HelloBase
            {
                public virtual Task<HelloReply> Hello(HelloRequest request, ServerCallContext context) => throw new RpcException(Status.DefaultCancelled);
                public virtual Task Watch(HelloRequest request, IServerStreamWriter<HelloReply> responseStream, ServerCallContext context) => throw new RpcException(Status.DefaultCancelled);
                public virtual Task<HelloReply> Anyone(HelloRequest request, ServerCallContext context) => throw new RpcException(Status.DefaultCancelled);
            }

            public sealed class HelloClient
            {
                public AsyncUnaryCall<HelloReply> HelloAsync(HelloRequest request, Metadata? headers = null) => throw new RpcException(Status.DefaultCancelled);
            }
        }

        public static class Example
        {
            public abstract class ExampleBase
            {
                public virtual Task<Reply> AuthorizedLevel(Empty request, ServerCallContext context) => throw new RpcException(Status.DefaultCancelled);
            }
        }

        public sealed class Reports;
        public sealed class HelloRequest;
        public sealed class HelloReply { public string Message { get; set; } = ""; }
        public sealed class Reply { public string Message { get; set; } = ""; }
        public sealed class Empty;
        """;

    /// <summary>The READMEs, each with the projects (packages) and namespaces its samples may use.</summary>
    private static readonly ReadmeSet[] Readmes =
    [
        new("README.md", ["Flaat.AspNetCore", "Flaat.MinimalApi", "Flaat.Grpc", "Flaat.Redis"], [("Microsoft.AspNetCore.DataProtection.StackExchangeRedis", "10.0.15")],
            ["Flaat", "Flaat.AspNetCore", "Flaat.Evaluation", "Flaat.Requirements", "Grpc.Core", "Microsoft.AspNetCore.Mvc", "System.Security.Claims"], GrpcStubs),
        new("Flaat.AspNetCore/README.md", ["Flaat.AspNetCore", "Flaat.MinimalApi"], [],
            ["Flaat", "Flaat.AspNetCore", "Flaat.Requirements", "Microsoft.AspNetCore.Authorization", "Microsoft.AspNetCore.Mvc", "System.Security.Claims"], ""),
        new("Flaat.Grpc/README.md", ["Flaat.Grpc"], [],
            ["Flaat", "Flaat.AspNetCore", "Flaat.Requirements", "Grpc.Core", "System.Text.Json"], GrpcStubs),
        new("Flaat.Testing/README.md", ["Flaat.Testing", "Flaat.AspNetCore"], [("NUnit", "4.6.1"), ("Microsoft.AspNetCore.TestHost", "10.0.15")],
            ["Flaat", "Flaat.Requirements", "Flaat.Testing", "NUnit.Framework"], ""),
        new("Flaat.Redis/README.md", ["Flaat.Redis", "Flaat.AspNetCore"], [("Microsoft.AspNetCore.DataProtection.StackExchangeRedis", "10.0.15")],
            ["Flaat", "Flaat.AspNetCore", "Flaat.Caching", "Flaat.Redis", "Flaat.Requirements", "Microsoft.AspNetCore.DataProtection", "StackExchange.Redis"], ""),
    ];

    [Test]
    public async Task EveryReadme_CSharpSamples_CompileWithTheNamedPackagesOnly()
    {
        var root = RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("flaat-readmes-");
        try
        {
            var projects = new List<string>();
            foreach (var readme in Readmes)
            {
                projects.Add(WriteProject(root, work.FullName, readme));
            }

            var (exitCode, output) = await BuildAsync(work.FullName, projects);

            Assert.That(exitCode, Is.EqualTo(0), () => "README samples do not compile:" + Environment.NewLine
                + string.Join(Environment.NewLine, output.Split('\n').Where(line => line.Contains(": error ", StringComparison.Ordinal)).Distinct()));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Test]
    public void Samples_OfEachReadme_AreFound()
    {
        var root = RepositoryRoot();

        Assert.Multiple(() =>
        {
            foreach (var readme in Readmes)
            {
                Assert.That(Samples(File.ReadAllText(Path.Combine(root, readme.Path))), Is.Not.Empty, readme.Path);
            }
        });
    }

    private static string WriteProject(string root, string work, ReadmeSet readme)
    {
        var name = "Readme_" + NonWord().Replace(readme.Path, "_");
        var directory = Directory.CreateDirectory(Path.Combine(work, name)).FullName;
        var references = string.Join(Environment.NewLine, readme.Projects.Select(project =>
            $"""    <ProjectReference Include="{Path.Combine(root, project, project + ".csproj")}" />"""));
        var packages = string.Join(Environment.NewLine, readme.Packages.Select(package =>
            $"""    <PackageReference Include="{package.Id}" Version="{package.Version}" />"""));
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Library</OutputType>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
                <NoWarn>$(NoWarn);CS1998;CS0168;CS0219;CS8321;CA1050;ASP0000</NoWarn>
                <EnableDefaultContentItems>false</EnableDefaultContentItems>
              </PropertyGroup>
              <ItemGroup>
            {references}
            {packages}
              </ItemGroup>
            </Project>
            """);

        var prelude = new StringBuilder();
        foreach (var ns in readme.Namespaces)
        {
            prelude.AppendLine($"global using {ns};");
        }

        prelude.AppendLine(readme.Stubs);
        File.WriteAllText(Path.Combine(directory, "Prelude.cs"), prelude.ToString());

        var samples = Samples(File.ReadAllText(Path.Combine(root, readme.Path)));
        for (var i = 0; i < samples.Count; i++)
        {
            File.WriteAllText(Path.Combine(directory, $"Sample{i}.cs"), Wrap(samples[i], i, readme.Stubs.Length > 0));
        }

        return Path.Combine(directory, name + ".csproj");
    }

    /// <summary>The <c>```csharp</c> blocks of a README.</summary>
    private static List<string> Samples(string markdown) =>
        [.. CSharpBlock().Matches(markdown).Select(match => match.Groups["code"].Value)];

    /// <summary>
    /// Makes a sample a compilation unit: its <c>using</c> lines stay at the top; its statements become
    /// the body of a method whose parameters are what the sample takes from around it (the builder,
    /// the app, a token); its declarations follow (members without a type go into a class).
    /// </summary>
    private static string Wrap(string sample, int index, bool grpc)
    {
        var lines = sample.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var usings = lines.TakeWhile(line => UsingDirective().IsMatch(line) || line.Length == 0).ToList();
        var rest = lines.Skip(usings.Count).ToList();
        var firstDeclaration = rest.FindIndex(line => Declaration().IsMatch(line));
        var statements = firstDeclaration < 0 ? rest : rest.Take(firstDeclaration).ToList();
        var declarations = firstDeclaration < 0 ? [] : rest.Skip(firstDeclaration).ToList();
        var body = string.Join('\n', statements);

        var parameters = new List<string> { "string[] args" };
        void Offer(string type, string name)
        {
            if (Regex.IsMatch(body, $@"\b{name}\b") && !Regex.IsMatch(body, $@"\b(var|{Regex.Escape(type)})\s+{name}\b"))
            {
                parameters.Add($"{type} {name}");
            }
        }

        Offer("WebApplicationBuilder", "builder");
        Offer("WebApplication", "app");
        Offer("string", "token");
        if (grpc)
        {
            Offer("Hello.HelloClient", "client");
            Offer("HelloRequest", "request");
        }

        var typeDeclared = declarations.SkipWhile(line => line.TrimStart().StartsWith('[')).FirstOrDefault() is { } first && TypeKeyword().IsMatch(first);
        var code = new StringBuilder();
        code.AppendLine(string.Join('\n', usings));
        code.AppendLine($"namespace ReadmeSample{index};");
        code.AppendLine($"internal static class Sample{index}");
        code.AppendLine("{");
        code.AppendLine($"    internal static async Task RunAsync({string.Join(", ", parameters)})");
        code.AppendLine("    {");
        code.AppendLine(body);
        code.AppendLine("    }");
        code.AppendLine("}");
        if (declarations.Count > 0)
        {
            code.AppendLine(typeDeclared ? "" : $"public sealed class SampleMembers{index}\n{{");
            code.AppendLine(string.Join('\n', declarations));
            code.AppendLine(typeDeclared ? "" : "}");
        }

        return code.ToString();
    }

    private static async Task<(int ExitCode, string Output)> BuildAsync(string directory, IEnumerable<string> projects)
    {
        // One MSBuild invocation builds every README project in parallel; Flaat's own projects are already built.
        var traversal = Path.Combine(directory, "Readmes.proj");
        await File.WriteAllTextAsync(traversal, $"""
            <Project>
              <ItemGroup>
            {string.Join(Environment.NewLine, projects.Select(project => $"""    <ReadmeProject Include="{project}" />"""))}
              </ItemGroup>
              <Target Name="Build">
                <MSBuild Projects="@(ReadmeProject)" Targets="Restore" Properties="MSBuildRestoreSessionId=$([System.Guid]::NewGuid())" BuildInParallel="true" />
                <MSBuild Projects="@(ReadmeProject)" Targets="Build" Properties="BuildProjectReferences=false;Configuration={BuildConfiguration()}" BuildInParallel="true" />
              </Target>
            </Project>
            """);
        var start = new ProcessStartInfo("dotnet", ["build", traversal, "-nologo", "-m", "-clp:NoSummary"])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static string BuildConfiguration() =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

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

    [GeneratedRegex(@"^(\[|public |internal |sealed |abstract |static class |class |record )")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\b(class|record|struct|interface)\s")]
    private static partial Regex TypeKeyword();

    [GeneratedRegex(@"^using (static )?[\w.]+;$")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"\W")]
    private static partial Regex NonWord();

    private sealed record ReadmeSet(string Path, string[] Projects, (string Id, string Version)[] Packages, string[] Namespaces, string Stubs);
}
