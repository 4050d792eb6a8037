namespace Flaat.Issuers;

/// <summary>
/// The global budget of probing, shared by all requests: how many tokens may be probed at once
/// (<see cref="FlaatProbingOptions.MaxConcurrentProbes"/>) and how many may start per second
/// (<see cref="FlaatProbingOptions.MaxProbesPerSecond"/>, a token bucket holding one second's worth,
/// refilled continuously on the <see cref="TimeProvider"/>'s monotonic clock). Each probe costs a
/// call to every candidate OP; without a budget a flood of made-up opaque tokens would be multiplied
/// into a flood of calls to the OPs.
/// </summary>
internal sealed class ProbeBudget
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly int _maxConcurrent;
    private readonly double _perSecond;
    private int _running;
    private double _available;
    private long _refilledAt;

    public ProbeBudget(int maxConcurrent, int perSecond, TimeProvider time)
    {
        _time = time;
        _maxConcurrent = maxConcurrent;
        _perSecond = perSecond;
        _available = perSecond;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>
    /// Takes one probe from the budget; <see langword="null"/> when taken (then <see cref="Release"/>
    /// must follow), otherwise why not.
    /// </summary>
    public string? TryTake()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (now > _refilledAt)
            {
                var elapsed = (now - _refilledAt) / (double)_time.TimestampFrequency;
                _available = Math.Min(_perSecond, _available + (elapsed * _perSecond));
                _refilledAt = now;
            }

            if (_running >= _maxConcurrent)
            {
                return $"all {_maxConcurrent} concurrent probes are in use";
            }

            if (_available < 1)
            {
                return $"more than {_perSecond:0} tokens per second are being probed";
            }

            _available -= 1;
            _running++;
            return null;
        }
    }

    /// <summary>Gives back a probe taken with <see cref="TryTake"/> once it is done.</summary>
    public void Release()
    {
        lock (_gate)
        {
            _running--;
        }
    }
}
