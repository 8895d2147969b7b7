using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// Lets one thread sleep until another has something for it, with a syscall only when
/// it really sleeps: <see cref="Unpark"/> rings the doorbell only if the owner is (about
/// to be) asleep on it. Like a condition variable, a return from <see cref="Park"/> only
/// says "look again": callers wait in a loop on their own condition.
/// </summary>
public sealed class Parker : IDisposable
{
    private const int Running = 0;
    private const int Sleeping = 1;
    private const int Notified = 2;

    private readonly EventFd _bell = new();
    private int _state;

    /// <summary>Only the owning thread parks.</summary>
    public void Park()
    {
        if (Interlocked.Exchange(ref _state, Running) == Notified)
            return;
        if (Interlocked.CompareExchange(ref _state, Sleeping, Running) == Running)
            _bell.Wait(); // the unparker saw Sleeping, so it rings exactly once
        Volatile.Write(ref _state, Running);
    }

    /// <summary>Any thread, any number of times.</summary>
    public void Unpark()
    {
        if (Interlocked.Exchange(ref _state, Notified) == Sleeping)
            _bell.Ring();
    }

    public void Dispose() => _bell.Dispose();
}
