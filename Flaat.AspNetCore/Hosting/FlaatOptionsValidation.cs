using Flaat.Requirements;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>
/// Validates <see cref="FlaatOptions"/> (the engine's settings) at start-up (<c>ValidateOnStart</c>),
/// listing every invalid setting by its configuration path.
/// </summary>
internal sealed class FlaatOptionsValidation : IValidateOptions<FlaatOptions>
{
    public ValidateOptionsResult Validate(string? name, FlaatOptions options) => Result(FlaatOptionsValidator.Validate(options));

    public static ValidateOptionsResult Result(IReadOnlyList<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}

/// <summary>
/// Validates <see cref="FlaatAccessOptions"/> (the configured access levels) at start-up, listing
/// every invalid setting by its configuration path (<c>Flaat:AccessLevels:name:Setting</c>).
/// </summary>
internal sealed class FlaatAccessOptionsValidation : IValidateOptions<FlaatAccessOptions>
{
    public ValidateOptionsResult Validate(string? name, FlaatAccessOptions options) => FlaatOptionsValidation.Result(AccessLevel.Validate(options));
}
