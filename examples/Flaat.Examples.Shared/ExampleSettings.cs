using Microsoft.Extensions.Configuration;

namespace Flaat.Examples;

/// <summary>The examples' own settings, section <c>Example</c>.</summary>
public sealed class ExampleSettings
{
    /// <summary>Users with one of these e-mail addresses may call <c>/authorized_claim</c>.</summary>
    public IReadOnlyList<string> AdminEmails { get; init; } = [];

    /// <summary>Users must hold all of these AARC entitlements (or sub-group ones) to call <c>/authorized_vo</c>.</summary>
    public IReadOnlyList<string> RequiredEntitlements { get; init; } = [];

    /// <summary>Reads the section; missing lists fall back to the demo values.</summary>
    public static ExampleSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Example");
        var emails = section.GetSection("AdminEmails").Get<string[]>() ?? [];
        var entitlements = section.GetSection("RequiredEntitlements").Get<string[]>() ?? [];
        return new ExampleSettings
        {
            AdminEmails = emails.Length > 0 ? emails : [DemoProvider.AdminEmail],
            RequiredEntitlements = entitlements.Length > 0 ? entitlements : [DemoProvider.RequiredEntitlement],
        };
    }
}
