namespace Flaat.Testing;

/// <summary>The endpoints of a <see cref="FakeOpenIdProvider"/>, for request counts and targeted faults.</summary>
public enum FakeOpenIdEndpoint
{
    /// <summary>The discovery document, <c>{issuer}/.well-known/openid-configuration</c>.</summary>
    Discovery,

    /// <summary>The JSON Web Key Set, <c>{issuer}/jwks</c>.</summary>
    Jwks,

    /// <summary>The userinfo endpoint, <c>{issuer}/userinfo</c>.</summary>
    UserInfo,

    /// <summary>The token introspection endpoint, <c>{issuer}/introspect</c>.</summary>
    Introspection,
}
