using Microsoft.AspNetCore.Authentication;

namespace Flaat.AspNetCore;

/// <summary>Settings of the Flaat authentication scheme (<c>AddAuthentication().AddFlaat()</c>).</summary>
public sealed class FlaatAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>The claim that is <c>User.Identity.Name</c>. Default <c>sub</c> (every OP sends it).</summary>
    public string NameClaimType { get; set; } = "sub";

    /// <summary>The claim whose values are roles for <c>[Authorize(Roles = ...)]</c> and <c>IsInRole</c>. Default <c>groups</c>.</summary>
    public string RoleClaimType { get; set; } = "groups";
}

/// <summary>Defaults of the Flaat authentication scheme.</summary>
public static class FlaatAuthenticationDefaults
{
    /// <summary>The scheme's default name, <c>Flaat</c>.</summary>
    public const string AuthenticationScheme = "Flaat";
}
