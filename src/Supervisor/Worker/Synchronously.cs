namespace Supervisor.Worker;

/// <summary>
/// Waits on the calling thread for the engine's ValueTasks. Over the blocking client
/// stream they have almost always completed when they are returned, and then this costs
/// nothing; the rare one still pending (a send waiting for a keep-alive pong to go out
/// first) is waited for as a Task, since a ValueTask from a pooled source may not be
/// blocked on directly.
/// </summary>
internal static class Synchronously
{
    public static T Wait<T>(ValueTask<T> pending) =>
        pending.IsCompleted ? pending.GetAwaiter().GetResult() : pending.AsTask().GetAwaiter().GetResult();

    public static void Wait(ValueTask pending)
    {
        if (pending.IsCompleted)
            pending.GetAwaiter().GetResult();
        else
            pending.AsTask().GetAwaiter().GetResult();
    }
}
