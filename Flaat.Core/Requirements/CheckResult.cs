using System.Text.Json.Nodes;

namespace Flaat.Requirements;

/// <summary>The result of checking a <see cref="Requirement"/> against a user.</summary>
public sealed class CheckResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="isSatisfied">Whether the requirement was met.</param>
    /// <param name="message">What the check found; an error message when not satisfied.</param>
    /// <param name="details">The results of sub-checks worth reporting (for meta requirements: the failed children).</param>
    public CheckResult(bool isSatisfied, string message, IReadOnlyList<CheckResult>? details = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        IsSatisfied = isSatisfied;
        Message = message;
        Details = details;
    }

    /// <summary>Whether the requirement was met.</summary>
    public bool IsSatisfied { get; }

    /// <summary>What the check found; an error message when not satisfied.</summary>
    public string Message { get; }

    /// <summary>Nested results, or <see langword="null"/> when there are none.</summary>
    public IReadOnlyList<CheckResult>? Details { get; }

    /// <summary>
    /// Renders the result as flaat does in <c>error_details</c>: the message as a string when there
    /// are no nested results, else <c>{"check": message, "check_details": [nested, rendered]}</c>.
    /// </summary>
    public JsonNode Render()
    {
        if (Details is null)
        {
            return JsonValue.Create(Message);
        }

        var nested = new JsonArray();
        foreach (var detail in Details)
        {
            nested.Add(detail.Render());
        }

        return new JsonObject
        {
            ["check"] = Message,
            ["check_details"] = nested,
        };
    }

    /// <inheritdoc />
    public override string ToString() => $"{(IsSatisfied ? "satisfied" : "not satisfied")}: {Message}";
}
