namespace Flaat.Testing;

/// <summary>
/// A user of the <see cref="FakeOpenIdProvider"/>: a subject and the claims the provider returns
/// from userinfo and introspection (and puts into JWTs when asked to).
/// </summary>
/// <example>
/// <code>
/// var alice = new FakeUser("alice")
///     .WithClaim("email", "alice@example.org")
///     .WithClaim("groups", new[] { "admins", "users" });
/// </code>
/// </example>
public sealed class FakeUser
{
    /// <summary>Creates a user with the given subject (<c>sub</c>) and no other claims.</summary>
    /// <param name="subject">The subject identifier; not empty.</param>
    public FakeUser(string subject)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        Subject = subject;
    }

    /// <summary>The subject identifier, returned as the <c>sub</c> claim.</summary>
    public string Subject { get; }

    /// <summary>
    /// Further claims by name, such as <c>email</c>, <c>groups</c> or <c>eduperson_entitlement</c>.
    /// Values are serialised with System.Text.Json: strings, numbers, booleans, arrays of them,
    /// dictionaries, or <see cref="System.Text.Json.Nodes.JsonNode"/>. A <c>sub</c> entry here is ignored.
    /// </summary>
    public IDictionary<string, object?> Claims { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Sets a claim and returns this user, for fluent set-up.</summary>
    /// <param name="name">The claim name.</param>
    /// <param name="value">The claim value.</param>
    /// <returns>This user.</returns>
    public FakeUser WithClaim(string name, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Claims[name] = value;
        return this;
    }
}
