namespace Flaat.Cli;

/// <summary>
/// The OPs <c>flaat-userinfo</c> trusts when no <c>--trust</c> is given: identity providers of
/// research infrastructures whose tokens people commonly want to inspect, and Google.
/// </summary>
/// <remarks>
/// An opaque token whose issuer is not given with <c>--issuer</c> is sent to the userinfo endpoint
/// of each of them to find its issuer (flaat's probing); use <c>--trust</c> or <c>--issuer</c> to avoid that.
/// </remarks>
internal static class WellKnownIssuers
{
    public static readonly IReadOnlyList<string> All =
    [
        "https://aai.egi.eu/auth/realms/egi",              // EGI Check-in
        "https://aai-demo.egi.eu/auth/realms/egi",         // EGI Check-in demo
        "https://login.helmholtz.de/oauth2",               // Helmholtz AAI
        "https://wlcg.cloud.cnaf.infn.it/",                // WLCG IAM
        "https://iam-escape.cloud.cnaf.infn.it/",          // ESCAPE IAM
        "https://proxy.eduteams.org",                      // eduTEAMS
        "https://b2access.eudat.eu/oauth2",                // EUDAT B2ACCESS
        "https://login.aai.lifescience-ri.eu/oidc/",       // Life Science Login
        "https://auth.cern.ch/auth/realms/cern",           // CERN SSO
        "https://oidc.scc.kit.edu/auth/realms/kit",        // KIT
        "https://accounts.google.com",                     // Google
    ];
}
