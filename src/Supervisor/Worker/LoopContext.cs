namespace Supervisor.Worker;

/// <summary>
/// The worker loop's thread as the place where a session's awaits resume. Without it
/// every await that another thread completed (the receive thread seeing the close, the
/// waitpid thread seeing the app exit, a timer) resumed on the thread pool, whose
/// threads wake one another and spin: ~50 futex calls per connection in strace. Here a
/// resumption is a queue entry and, if the loop sleeps, one eventfd write. The loop
/// also keeps its own timers for the session's bounded waits (<see cref="Bounded"/>):
/// arming one of the runtime's timers wakes its timer thread, through the same mutex and
/// condition variable, several times per connection.
/// </summary>
public sealed class LoopContext : SynchronizationContext, IDisposable
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();
    private readonly Lock _lock = new();
    private readonly Parker _parker = new();

    // Touched on the loop's thread only. A session has one or two pending at a time, so a
    // list searched in full beats a heap.
    private readonly List<Timer> _timers = [];

    /// <summary>One of the loop's timers: <see cref="Fired"/> completes on the loop's
    /// thread once it is due, unless stopped first.</summary>
    public sealed class Timer(long due)
    {
        internal long Due { get; } = due;

        internal TaskCompletionSource Completion { get; } = new();

        public Task Fired => Completion.Task;
    }

    /// <summary>The loop's context if the calling thread is running it, else null.</summary>
    public static LoopContext? OnThisThread => Current as LoopContext;

    /// <summary>Arms a timer; the loop's thread only.</summary>
    public Timer StartTimer(TimeSpan after)
    {
        var timer = new Timer(Environment.TickCount64 + (long)Math.Ceiling(after.TotalMilliseconds));
        _timers.Add(timer);
        return timer;
    }

    /// <summary>Disarms a timer that has not fired (nothing happens if it has); the loop's thread only.</summary>
    public void StopTimer(Timer timer) => _timers.Remove(timer);

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
                if (FireDueTimers())
                    continue; // what they woke may have queued more, or be done
                if (done())
                    return;
                _parker.Park(MillisecondsToNextTimer());
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
        // Its continuations all run here, so it normally completes here too; if it ever
        // completes elsewhere, wake the loop from there. (An await-style continuation would
        // be sent to the thread pool: this context is not one it may run inline on.)
        task.ContinueWith(static (_, parker) => ((Parker)parker!).Unpark(), _parker,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        RunUntil(() => task.IsCompleted);
        task.GetAwaiter().GetResult();
    }

    /// <summary>Completes every timer that is due; true if there was one. Their awaiters
    /// run inline here (this is their context), and may arm or stop timers meanwhile.</summary>
    private bool FireDueTimers()
    {
        if (_timers.Count == 0)
            return false;
        long now = Environment.TickCount64;
        var due = _timers.FindAll(t => t.Due <= now);
        foreach (var timer in due)
        {
            _timers.Remove(timer);
            timer.Completion.TrySetResult();
        }
        return due.Count > 0;
    }

    private int MillisecondsToNextTimer()
    {
        if (_timers.Count == 0)
            return -1;
        long next = _timers.Min(t => t.Due);
        return (int)Math.Clamp(next - Environment.TickCount64, 0, int.MaxValue);
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
