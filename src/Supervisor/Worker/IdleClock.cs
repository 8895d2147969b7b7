namespace Supervisor.Worker;

/// <summary>
/// --idle-timeout: whether a message went either way lately. Both pumps touch it on every
/// data frame (a fragment counts: a slow upload is not idle); pings and pongs do not,
/// since the keep-alive pings we send ourselves would otherwise keep every connection
/// alive forever. A message the acceptor wrote to the client directly counts too: it
/// records when (<paramref name="lastPushedTicks"/>), and the timer looks.
/// <see cref="WhenIdleAsync"/> completes once nothing has moved for the whole timeout.
/// </summary>
/// <remarks>
/// A touch is a count, not a time: reading the clock costs a vDSO call on every message
/// each way, and in the 100-connection echo benchmark, where every wake-up of a worker
/// thread finds its caches cold, those two reads were about 1 % of all the machine's
/// samples (perf). The timer reads the clock instead, a few times per timeout: it checks
/// every quarter of the timeout whether the count moved, and dates a move to the check
/// that saw it. So a connection is found idle no sooner than the timeout after its last
/// message, and at most a quarter of the timeout later.
/// </remarks>
public sealed class IdleClock(Func<long>? lastPushedTicks = null)
{
    private long _moves;

    public void Touch() => Interlocked.Increment(ref _moves);

    public async Task WhenIdleAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        long limit = (long)timeout.TotalMilliseconds;
        long slice = Math.Max(1, limit / 4);
        long movesSeen = Volatile.Read(ref _moves);
        long lastActivity = Environment.TickCount64;
        while (true)
        {
            long now = Environment.TickCount64;
            long moves = Volatile.Read(ref _moves);
            if (moves != movesSeen)
            {
                movesSeen = moves;
                lastActivity = now;
            }
            long idleFor = now - Math.Max(lastActivity, lastPushedTicks?.Invoke() ?? 0);
            if (idleFor >= limit)
                return;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(limit - idleFor, slice)), cancellation);
        }
    }
}
