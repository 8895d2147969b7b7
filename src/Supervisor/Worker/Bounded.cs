namespace Supervisor.Worker;

/// <summary>
/// "Wait for this, but no longer than that", without leaving a timer behind. A bare
/// <c>Task.WhenAny(task, Task.Delay(bound))</c> keeps the delay's timer until it fires,
/// long after the task has finished: in a worker that serves connection after connection,
/// every one of them woke the timer thread and a thread-pool thread (which woke another)
/// up to seconds later, ~100 futex calls per connection in strace.
/// </summary>
public static class Bounded
{
    /// <summary>True if <paramref name="task"/> finished within <paramref name="bound"/>;
    /// false at the bound or when <paramref name="cancellation"/> fires first.</summary>
    public static async Task<bool> FinishesWithin(this Task task, TimeSpan bound, CancellationToken cancellation = default)
    {
        if (task.IsCompleted)
            return true;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        Task first = await Task.WhenAny(task, Task.Delay(bound, timer.Token));
        timer.Cancel(); // takes the timer out of the queue if it has not fired
        return first == task;
    }
}
