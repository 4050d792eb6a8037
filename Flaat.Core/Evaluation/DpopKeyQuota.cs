namespace Flaat.Evaluation;

/// <summary>
/// How many proofs one key (its <c>jkt</c> thumbprint) may have remembered by the replay cache at once,
/// so that one client flooding proofs fills only its own share and is refused alone, never everybody.
/// Counted in fixed windows as long as a proof identifier can live (<c>window</c>): a key gets at most
/// <c>quota</c> new identifiers per window, so at most twice the quota are live at any instant. Keys
/// whose window ended are swept when the table has doubled since the last sweep (no scan per proof).
/// </summary>
internal sealed class DpopKeyQuota(int quota, TimeSpan window)
{
    private readonly Dictionary<string, Window> _keys = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly long _windowTicks = Math.Max(window.Ticks, TimeSpan.TicksPerSecond);
    private int _sweepAt = 1024;

    public int Quota => quota;

    /// <summary>Whether the key still has room now (it is not counted yet: see <see cref="Count"/>).</summary>
    public bool HasRoom(string thumbprint, DateTimeOffset now)
    {
        lock (_gate)
        {
            return !_keys.TryGetValue(thumbprint, out var key) || key.Start + _windowTicks <= now.UtcTicks || key.Count < quota;
        }
    }

    /// <summary>Counts one identifier remembered for the key.</summary>
    public void Count(string thumbprint, DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        lock (_gate)
        {
            if (_keys.Count >= _sweepAt)
            {
                foreach (var (name, ended) in _keys)
                {
                    if (ended.Start + _windowTicks <= ticks)
                    {
                        _keys.Remove(name);
                    }
                }

                _sweepAt = Math.Max(1024, _keys.Count * 2);
            }

            _keys[thumbprint] = _keys.TryGetValue(thumbprint, out var key) && key.Start + _windowTicks > ticks
                ? key with { Count = key.Count + 1 }
                : new Window(ticks, 1);
        }
    }

    private readonly record struct Window(long Start, int Count);
}
