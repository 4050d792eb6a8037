using Flaat.Diagnostics;
using Polly;
using Polly.CircuitBreaker;

namespace Flaat.Http;

/// <summary>Where a call goes: an issuer (for metrics and spans) and its resilience pipeline (its own circuit).</summary>
internal sealed record OpTarget(string Issuer, ResiliencePipeline<HttpAnswer> Pipeline)
{
    /// <summary>What a monitor reads of this OP (its circuit, its last failure); <see langword="null"/> when nobody monitors it.</summary>
    public OpHealth? Health { get; init; }
}

/// <summary>
/// The circuit and the last failure of one OP: written by the calls to it, read by
/// <see cref="IFlaatIssuerMonitor"/>. Only the OP's faults are recorded, never a client's.
/// </summary>
internal sealed class OpHealth
{
    private FlaatIssuerError? _lastError;

    /// <summary>Attached to the circuit breaker of the OP's pipeline (<see cref="OpClient.CreateTarget"/>).</summary>
    public CircuitBreakerStateProvider CircuitProvider { get; } = new();

    public FlaatIssuerError? LastError => Volatile.Read(ref _lastError);

    public FlaatCircuitState Circuit => CircuitProvider.CircuitState switch
    {
        CircuitState.Closed => FlaatCircuitState.Closed,
        CircuitState.HalfOpen => FlaatCircuitState.HalfOpen,
        // Open, or isolated by hand (Flaat never does).
        _ => FlaatCircuitState.Open,
    };

    /// <summary>Records a failure; <paramref name="description"/> must never hold a token.</summary>
    public void Failed(int statusCode, string description, DateTimeOffset at) =>
        Volatile.Write(ref _lastError, new FlaatIssuerError(statusCode, description, at));
}
