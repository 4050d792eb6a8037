using Flaat.Evaluation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Flaat.AspNetCore;

/// <summary>Judges <see cref="FlaatAuthorizationRequirement"/>s with the one Flaat evaluator.</summary>
internal sealed class FlaatAuthorizationHandler(FlaatHttpGate gate, FlaatAccessLevelRegistry accessLevels)
    : AuthorizationHandler<FlaatAuthorizationRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, FlaatAuthorizationRequirement requirement)
    {
        if (context.Resource is not HttpContext http)
        {
            context.Fail(new AuthorizationFailureReason(this, "Flaat requirements are judged on HTTP requests only"));
            return;
        }

        // The engine caches the token's user infos: authenticating again here costs a lookup.
        var (_, outcome) = await gate.EvaluateAsync(http, requirement.GetPolicy(accessLevels));

        if (outcome.IsAllowed)
        {
            context.Succeed(requirement);
            return;
        }

        var state = http.GetFlaatState();
        if (outcome.Error!.StatusCode == StatusCodes.Status403Forbidden)
        {
            state.AuthorizationError ??= outcome.Error;
        }
        else
        {
            state.AuthenticationError ??= outcome.Error;
        }

        context.Fail(new AuthorizationFailureReason(this, outcome.Error.Description));
    }
}
