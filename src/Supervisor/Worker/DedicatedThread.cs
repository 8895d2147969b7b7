namespace Supervisor.Worker;

/// <summary>
/// A named thread of its own for a loop of blocking calls (a pipe read, a recv), with its
/// result as a Task. The worker's per-message path runs on these alone: the client →
/// app side on the receive thread, the app → client side on the stdout pump, each
/// sleeping in the kernel until there is something to do.
/// </summary>
public static class DedicatedThread
{
    /// <summary>Reserved, not committed: a loop here touches a few pages of it (the deepest
    /// is the engine's send with permessage-deflate), and each thread's committed stack
    /// counts against the ≤ 1 MB an idle worker is allowed.</summary>
    private const int StackBytes = 256 * 1024;

    public static Task<T> Run<T>(string name, Func<T> body)
    {
        // Continuations go to the thread pool, not onto this thread as it ends: whoever
        // awaits the result must not run its code on a thread that is about to exit.
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(body());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }, StackBytes)
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }
}
