namespace Supervisor.Protocol.Admission;

/// <summary>
/// A token bucket for --max-spawn-rate: <see cref="RatePerSecond"/> tokens a second,
/// at most <see cref="Burst"/> saved up, one taken per admitted upgrade. A steady rate
/// with room for a burst (a page reload reconnecting everyone at once) where a fixed
/// one-second window would let twice the rate through across a window edge. Time is
/// passed in, so the arithmetic is tested without waiting; thread-safe.
/// </summary>
public sealed class TokenBucket
{
    private readonly Lock _lock = new();
    private double _tokens;
    private TimeSpan _last;

    /// <param name="ratePerSecond">Tokens added per second (at least 1).</param>
    /// <param name="burst">Most tokens held at once; the bucket starts full.</param>
    /// <param name="now">The clock's reading at creation (any monotonic origin).</param>
    public TokenBucket(int ratePerSecond, int burst, TimeSpan now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ratePerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        RatePerSecond = ratePerSecond;
        Burst = burst;
        _tokens = burst;
        _last = now;
    }

    public int RatePerSecond { get; }

    public int Burst { get; }

    /// <summary>Takes one token if there is one at time <paramref name="now"/>.</summary>
    public bool TryTake(TimeSpan now)
    {
        lock (_lock)
        {
            if (now > _last)
            {
                _tokens = Math.Min(Burst, _tokens + (now - _last).TotalSeconds * RatePerSecond);
                _last = now;
            }
            if (_tokens < 1)
                return false;
            _tokens -= 1;
            return true;
        }
    }
}
