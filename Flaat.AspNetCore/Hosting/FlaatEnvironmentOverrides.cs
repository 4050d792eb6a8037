using Flaat.Evaluation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>
/// The hosting default of <see cref="FlaatEvaluatorOptions.HonourEnvironmentOverrides"/>: flaat's
/// environment overrides are honoured in Development, or when <see cref="FlaatEndpointOptions.AllowEnvironmentOverrides"/>
/// allows them. A default only: the application's own <c>Configure&lt;FlaatEvaluatorOptions&gt;</c> after
/// <c>AddFlaat</c> is not overwritten.
/// </summary>
internal sealed class FlaatEnvironmentOverrides(IOptions<FlaatEndpointOptions> endpointOptions, IHostEnvironment? environment = null)
    : IConfigureOptions<FlaatEvaluatorOptions>
{
    public void Configure(FlaatEvaluatorOptions options) =>
        options.HonourEnvironmentOverrides = endpointOptions.Value.AllowEnvironmentOverrides || environment?.IsDevelopment() == true;
}
