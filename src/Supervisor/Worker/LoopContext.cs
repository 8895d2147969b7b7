namespace Supervisor.Worker;

/// <summary>
/// The worker loop's thread as the place where a session's awaits resume. Without it
/// every await that another thread completed (the receive thread seeing the close, the
/// waitpid thread seeing the app exit, a timer) resumed on the thread pool, whose
/// threads wake one another and spin: ~50 futex calls per connection in strace. Here a
/// resumption is a queue entry and, if the loop sleeps, one eventfd write.
/// </summary>
public sealed class LoopContext : SynchronizationContext, IDisposable
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();
    private readonly Lock _lock = new();
    private readonly Parker _parker = new();

    /// <summary>Wakes the loop to look at its condition again; for the threads that change it.</summary>
    public void Wake() => _parker.Unpark();

    public override void Post(SendOrPostCallback callback, object? state)
    {
        lock (_lock)
            _queue.Enqueue((callback, state));
        _parker.Unpark();
    }

    /// <summary>Nothing waits synchronously for the loop: it would be waiting for itself.</summary>
    public override void Send(SendOrPostCallback callback, object? state) =>
        throw new NotSupportedException("the worker loop runs posted work only");

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs posted work on the calling thread, which must be the loop's, until
    /// <paramref name="done"/> holds; sleeps whenever there is nothing to run.</summary>
    public void RunUntil(Func<bool> done)
    {
        var outer = Current;
        SetSynchronizationContext(this);
        try
        {
            while (true)
            {
                RunQueued();
                if (done())
                    return;
                _parker.Park();
            }
        }
        finally
        {
            SetSynchronizationContext(outer);
        }
    }

    /// <summary>Starts <paramref name="run"/> on this thread and runs the loop until the
    /// task it returns has ended; rethrows what it threw.</summary>
    public void Run(Func<Task> run)
    {
        var outer = Current;
        SetSynchronizationContext(this);
        Task task;
        try
        {
            task = run(); // its awaits capture this context
        }
        finally
        {
            SetSynchronizationContext(outer);
        }
        // Wherever the task completes, wake the loop from there, not via the thread pool.
        task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_parker.Unpark);
        RunUntil(() => task.IsCompleted);
        task.GetAwaiter().GetResult();
    }

    private void RunQueued()
    {
        while (true)
        {
            (SendOrPostCallback Callback, object? State) next;
            lock (_lock)
            {
                if (!_queue.TryDequeue(out next))
                    return;
            }
            next.Callback(next.State);
        }
    }

    public void Dispose() => _parker.Dispose();
}
