using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.Core.Diagnostics;

public sealed class LogEventIdTests
{
    private static readonly string[] ShippedAssemblies = ["Flaat.Core", "Flaat.AspNetCore", "Flaat.MinimalApi", "Flaat.Grpc", "Flaat.Redis"];

    [Test]
    public void LoggerMessages_OfEveryShippedAssembly_EachEventIdUsedOnce()
    {
        var lines = ShippedAssemblies
            .Select(Assembly.Load)
            .SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .SelectMany(method => method.GetCustomAttributes<LoggerMessageAttribute>()
                .Select(attribute => (Id: attribute.EventId, Where: $"{method.DeclaringType!.FullName}.{method.Name}")))
            .ToList();

        var reused = lines
            .GroupBy(line => line.Id)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(line => line.Where))}")
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Count.GreaterThanOrEqualTo(15), "the log lines of the engine, the issuers and the adapters were found");
            Assert.That(lines.Where(line => line.Id <= 0).Select(line => line.Where), Is.Empty, "every log line names its event id");
            Assert.That(reused, Is.Empty, "event ids used more than once");
        });
    }
}
