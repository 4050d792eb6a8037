using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>Validates <see cref="FlaatOptions"/> at start-up, listing every invalid setting by name.</summary>
internal sealed class FlaatOptionsValidation : IValidateOptions<FlaatOptions>
{
    public ValidateOptionsResult Validate(string? name, FlaatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        foreach (var (levelName, level) in options.AccessLevels)
        {
            if (level is null)
            {
                errors.Add($"{FlaatOptions.SectionName}:AccessLevels:{levelName}: the access level is empty.");
                continue;
            }

            try
            {
                _ = FlaatAccessLevelConversion.ToRequirement(levelName, level);
            }
            catch (Exception exception) when (exception is ArgumentException or FormatException)
            {
                errors.Add(exception.Message);
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
