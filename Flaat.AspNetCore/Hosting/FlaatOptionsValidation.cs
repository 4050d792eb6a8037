using Flaat.Requirements;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>
/// Validates <see cref="FlaatOptions"/> at start-up (<c>ValidateOnStart</c>), listing every invalid
/// setting by its configuration path: the engine's settings and the configured access levels.
/// </summary>
internal sealed class FlaatOptionsValidation : IValidateOptions<FlaatOptions>
{
    public ValidateOptionsResult Validate(string? name, FlaatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>(FlaatOptionsValidator.Validate(options));
        try
        {
            _ = AccessLevel.CreateAll(options);
        }
        catch (ArgumentException exception)
        {
            errors.AddRange(exception.Message.Split(Environment.NewLine).Select(static line => line.Replace(" (Parameter 'options')", string.Empty, StringComparison.Ordinal)));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
