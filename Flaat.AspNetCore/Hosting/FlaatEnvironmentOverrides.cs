using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>When flaat's environment overrides are honoured: in Development, or when explicitly allowed.</summary>
internal static class FlaatEnvironmentOverrides
{
    public static bool AreHonoured(IServiceProvider services) =>
        services.GetRequiredService<IOptions<FlaatOptions>>().Value.AllowEnvironmentOverrides
        || services.GetService<IHostEnvironment>()?.IsDevelopment() == true;
}
