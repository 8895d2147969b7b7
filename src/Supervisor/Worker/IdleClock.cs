namespace Supervisor.Worker;

/// <summary>
/// --idle-timeout: when a message last went either way. Both pumps touch it on every
/// data frame (a fragment counts: a slow upload is not idle); pings and pongs do not,
/// since the keep-alive pings we send ourselves would otherwise keep every connection
/// alive forever. A message the acceptor wrote to the client directly counts too: it
/// records when (<paramref name="lastPushedTicks"/>), and the timer looks.
/// <see cref="WhenIdleAsync"/> completes once nothing has moved for the whole timeout.
/// </summary>
public sealed class IdleClock(Func<long>? lastPushedTicks = null)
{
    private long _lastActivity = Environment.TickCount64;

    public void Touch() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    public async Task WhenIdleAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        long limit = (long)timeout.TotalMilliseconds;
        while (true)
        {
            long last = Math.Max(Volatile.Read(ref _lastActivity), lastPushedTicks?.Invoke() ?? 0);
            long idleFor = Environment.TickCount64 - last;
            if (idleFor >= limit)
                return;
            // One timer per wait, re-armed only when there was activity: a busy connection
            // costs a wake-up per timeout, not per message.
            await Task.Delay(TimeSpan.FromMilliseconds(limit - idleFor), cancellation);
        }
    }
}
