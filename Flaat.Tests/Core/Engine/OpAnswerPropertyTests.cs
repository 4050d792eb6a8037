using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Flaat.Engine;
using Microsoft.Extensions.Time.Testing;
using static Flaat.Tests.Core.Engine.ScriptedOps;

namespace Flaat.Tests.Core.Engine;

/// <summary>
/// Hostile OP answers through the whole engine: whatever two trusted OPs answer at userinfo and
/// introspection (wrong types for sub, iss, active, exp and aud, other issuers and subjects, repeated
/// keys, nesting, huge or broken bodies, odd statuses), the outcome is an acceptance, a 401, a 503, or
/// a 500 only where the OP refused the API's own introspection credentials; never another exception,
/// and never a user whose issuer is not the OP that was asked or whose subject is not the JWT's.
/// </summary>
public sealed class OpAnswerPropertyTests
{
    private const string A = "https://a.example";
    private const string B = "https://b.example";
    private const string JwtSubject = "alice";

    private static readonly DateTimeOffset Now = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
    private static readonly long NowSeconds = Now.ToUnixTimeSeconds();

    private static readonly string[] Keys = ["sub", "iss", "active", "exp", "aud", "email", "nbf", "scope"];

    // Built once: the huge inputs are about sizes, not contents, and copying megabytes per iteration
    // would make the run slow.
    private static readonly string HugeString = "\"" + new string('x', 100_000) + "\"";
    private static readonly string OversizedBody = "{\"sub\":\"bob\",\"pad\":\"" + new string('x', 1_100_000) + "\"}";
    private static readonly string DeepBody = new string('[', 80) + new string(']', 80);

    // The values that matter to the checks (the subjects, the issuers with and without slashes, times
    // around now within and beyond the clock skew), then wrong types, then noise.
    private static readonly Gen<string> Scalar = Gen.Frequency(
        (12, Gen.OneOf($"\"{JwtSubject}\"", "\"bob\"", $"\"{A}\"", $"\"{A}/\"", $"\"{A}//\"", $"\"{B}\"", $"\"{B}/\"", "\"\"")),
        (8, Gen.OneOf("true", "false", "null", "0", "-1", "1e308", "-1e308", "1.5", "\"12\"", "\"soon\"")),
        (6, Gen.Int[-120, 120].Select(k => (NowSeconds + k).ToString(CultureInfo.InvariantCulture))),
        (2, Gen.Int[-120, 120].Select(k => $"\"{NowSeconds + k}\"")),
        (4, Gen.String[0, 12].Select(s => JsonSerializer.Serialize(s))),
        (1, Gen.Const(HugeString)));

    private static readonly Gen<string> Value = Nest(Nest(Scalar));

    private static readonly Gen<(string Key, string Value)> Member = Gen.Select(
        Gen.Frequency((8, Gen.OneOf(Keys)), (1, Gen.String[0, 6])),
        Value,
        (key, value) => (key, value));

    // Keys come from a small set; one object in ten keeps a repeated key (refused on arrival as the
    // OP's fault), the others keep each key's first member, so most answers reach the binding checks.
    private static readonly Gen<string> Object = Gen.Select(
        Member.Array[0, 7],
        Gen.Int[0, 9],
        (members, roll) => "{" + string.Join(",", (roll == 0 ? members : members.DistinctBy(m => m.Key)).Select(m => JsonSerializer.Serialize(m.Key) + ":" + m.Value)) + "}");

    private static readonly Gen<string> Body = Gen.Frequency(
        (100, Object),
        (8, Gen.OneOf("[]", "\"x\"", "null", "{", "", "{\"sub\":", "{\"sub\":\"bob\"}}")),
        (4, Gen.Const(DeepBody)),
        (1, Gen.Const(OversizedBody)));

    private static readonly Gen<Answer> UserInfoAnswer = Gen.Frequency(
        (8, Body.Select(Answer.Ok)),
        (2, Gen.Const(Answer.Unauthorized)),
        (1, Gen.OneOf(400, 403, 404, 408, 429, 500, 503).Select(status => new Answer(status, "{}"))));

    private static readonly Gen<Answer> IntrospectionAnswer = Gen.Frequency(
        (6, Object.Select(o => Answer.Ok(o == "{}" ? """{"active":true}""" : """{"active":true,""" + o[1..]))),
        (3, Body.Select(Answer.Ok)),
        (1, Gen.OneOf(400, 401, 500, 503).Select(status => new Answer(status, "{}"))));

    private static readonly Gen<Case> Cases = Gen.Select(
        Gen.Enum<TokenKind>(), UserInfoAnswer, Gen.Frequency((3, Gen.Const(Answer.Unauthorized)), (1, UserInfoAnswer)), IntrospectionAnswer,
        (kind, a, b, introspection) => new Case(kind, a, b, introspection));

    private enum TokenKind
    {
        /// <summary>An opaque token with the issuer hint a.</summary>
        OpaqueHinted,

        /// <summary>An opaque token whose issuer is found by probing a and b.</summary>
        OpaqueProbed,

        /// <summary>A JWT of a with sub alice (not verified here: the checks are about the OP's answers).</summary>
        Jwt,
    }

    [Test]
    public async Task AuthenticateAsync_HostileOpAnswers_OnlyAcceptOr401Or503AndNeverAnotherOpsUser()
    {
        using var ops = new ScriptedOps();
        var scripts = new ConcurrentDictionary<string, Case>(StringComparer.Ordinal);
        var a = ops.Add(A);
        var b = ops.Add(B);
        a.Introspects = true;
        b.Introspects = true;
        a.UserInfo = token => scripts[token].UserInfoA;
        b.UserInfo = token => scripts[token].UserInfoB;
        // A probe asks both OPs by introspection (they have credentials): each answers for half the probed
        // tokens only, or one script would make both accept (ambiguous) and the acceptances rare.
        a.Introspection = token => scripts[token] is { Kind: TokenKind.OpaqueProbed } && (token[^1] - '0') % 2 == 1 ? Answer.Ok("{\"active\":false}") : scripts[token].Introspection;
        b.Introspection = token => scripts[token] is { Kind: TokenKind.OpaqueProbed } && (token[^1] - '0') % 2 == 0 ? Answer.Ok("{\"active\":false}") : scripts[token].Introspection;
        using var http = ops.CreateClient();
        var options = new FlaatOptions { TrustedIssuers = { A, B + "/" }, VerifyJwt = false, ClientId = "api", ClientSecret = "secret" };
        options.Probing.MaxProbesPerSecond = int.MaxValue;
        options.Resilience.CircuitBreakerFailureThreshold = 1_000_000;
        using var engine = new FlaatAuthenticator(options, http, new FakeTimeProvider(Now));
        var counter = 0;
        var accepted = 0;
        var refusedForBinding = 0;

        await Cases.SampleAsync(
            async @case =>
            {
                var n = Interlocked.Increment(ref counter);
                var (token, hint) = @case.Kind switch
                {
                    TokenKind.OpaqueHinted => ($"opaque-{n}", A),
                    TokenKind.OpaqueProbed => ($"opaque-{n}", null),
                    _ => (Jwt(n), null),
                };
                scripts[token] = @case;

                var result = await engine.AuthenticateAsync(new AuthenticationRequest(token, hint));

                Check(@case, result);
                if (result.UserInfos is not null)
                {
                    Interlocked.Increment(ref accepted);
                }
                else if (result.Error!.Description.Contains("for another", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref refusedForBinding);
                }
            },
            iter: 10_000,
            print: @case => @case.ToString());

        // The generators reach both sides of the checks, not only noise that every OP client refuses.
        // A probed token is accepted only when the OP's introspection and then its userinfo both answer
        // for it (credentialed OPs are probed by introspection), so acceptances are fewer than when
        // userinfo alone decided: about 350-500 in 10 000 cases.
        Assert.That(accepted, Is.GreaterThan(250), "acceptances");
        Assert.That(refusedForBinding, Is.GreaterThan(500), "refusals for another issuer or subject");
    }

    private static void Check(Case @case, AuthenticationResult result)
    {
        if (result.UserInfos is { } infos)
        {
            // The user's issuer is an OP that was asked and answered for the token, exactly as configured (normalised).
            var answeredA = @case.UserInfoA.Status == 200;
            var answeredB = @case.Kind == TokenKind.OpaqueProbed && @case.UserInfoB.Status == 200;
            var allowed = infos.Issuer == A ? answeredA : infos.Issuer == B && answeredB;
            if (!allowed)
            {
                throw new InvalidOperationException($"Accepted as a user of '{infos.Issuer}'");
            }

            if (@case.Kind == TokenKind.Jwt && infos.Subject != JwtSubject)
            {
                throw new InvalidOperationException($"Accepted the JWT of {JwtSubject} as '{infos.Subject}'");
            }

            return;
        }

        var status = result.Error!.StatusCode;
        var credentialsRefused = @case.Introspection.Status is >= 400 and < 500;
        if (status is not (401 or 503) && !(status == 500 && credentialsRefused))
        {
            throw new InvalidOperationException($"Status {status}: {result.Error.Description}");
        }
    }

    private static Gen<string> Nest(Gen<string> inner) => Gen.Frequency(
        (6, inner),
        (1, inner.Array[0, 3].Select(items => "[" + string.Join(",", items) + "]")),
        (1, Gen.Select(Gen.OneOf(Keys), inner, (key, value) => $"\"{key}\":{value}").Array[0, 3].Select(members => "{" + string.Join(",", members) + "}")));

    private static string Jwt(int n)
    {
        var payload = EngineTestKit.Payload(A, JwtSubject, now: Now);
        payload["jti"] = n;
        return EngineTestKit.Sign(new JsonObject { ["alg"] = "RS256", ["typ"] = "at+jwt" }, payload, _ => new byte[32]);
    }

    private sealed record Case(TokenKind Kind, Answer UserInfoA, Answer UserInfoB, Answer Introspection)
    {
        public override string ToString() =>
            $"{Kind}: userinfo a {Show(UserInfoA)}, userinfo b {Show(UserInfoB)}, introspection {Show(Introspection)}";

        private static string Show(Answer answer) =>
            $"{answer.Status} {(answer.Body.Length > 300 ? answer.Body[..300] + "..." : answer.Body)}";
    }
}
