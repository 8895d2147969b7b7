using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// A thread of its own for a loop of blocking calls (a pipe read, a recv, a poll), with
/// its result as a Task. The worker's per-message path runs on these alone: the client →
/// app side on the receive thread, the app → client side on the stdout pump, each
/// sleeping in the kernel until there is something to do. A connection needs three; a
/// worker serves one connection after another, so a thread whose loop has ended parks
/// and takes the next loop instead of exiting. Starting a thread costs a clone and, in
/// NativeAOT, a yield-spin until it runs: a few percent of a connection's CPU, three times.
/// </summary>
public static class DedicatedThread
{
    /// <summary>Reserved, not committed: a loop here touches a few pages of it (the deepest
    /// is the engine's send with permessage-deflate), and each thread's committed stack
    /// counts against the ≤ 1 MB an idle worker is allowed.</summary>
    private const int StackBytes = 256 * 1024;

    private static readonly Lock Gate = new();
    private static readonly Stack<Parked> Idle = new();

    /// <summary>A parked thread's mailbox, and what it sleeps on.</summary>
    private sealed class Parked
    {
        public Func<Action>? Work;
        public readonly Parker Bell = new();
    }

    /// <summary>Runs <paramref name="body"/> on a parked thread, or a new one if none is
    /// parked. <paramref name="name"/> names a new thread (what a debugger shows).</summary>
    public static Task<T> Run<T>(string name, Func<T> body)
    {
        // Continuations may run here: the session's awaits post theirs to the worker loop
        // (LoopContext), so what runs on this thread is only the bookkeeping of Task.WhenAny
        // and the like. Asking for asynchronous continuations would send that bookkeeping
        // through the thread pool first, one pool wake-up per ended loop.
        var done = new TaskCompletionSource<T>();
        Action Work()
        {
            try
            {
                T result = body();
                return () => done.SetResult(result);
            }
            catch (Exception e)
            {
                return () => done.SetException(e);
            }
        }

        Parked? parked = null;
        lock (Gate)
        {
            if (Idle.Count > 0)
                parked = Idle.Pop();
        }
        if (parked is null)
        {
            var fresh = new Parked { Work = Work };
            new Thread(() => Loop(fresh), StackBytes) { IsBackground = true, Name = name }.Start();
        }
        else
        {
            Volatile.Write(ref parked.Work, Work);
            parked.Bell.Unpark();
        }
        return done.Task;
    }

    private static void Loop(Parked self)
    {
        // SCHED_BATCH: a message wakes this thread while the thread that sent it (the app
        // writing its reply, the client's sender on loopback) is still running, and as a
        // default-policy thread it preempted that one, which then had to be switched back
        // in just to go to sleep: 0.2-0.4 extra context switches per echo each for the
        // app and the client (0.03-0.07 under websocketd). As batch it waits for that
        // thread to sleep, or for another CPU. Measured A/B, same build otherwise, against
        // websocketd in the same runs: echo messages/s 0.71-0.87x -> 0.91-0.99x, RTT p50
        // 1.12-1.26x -> 0.95-1.04x (100 connections); one connection's RTT p50 on an idle
        // machine 0.33-0.37 -> 0.16-0.17 ms. The price: with every CPU busy running
        // something else at the same priority, a message waits for a slice: one
        // connection's RTT p99 beside two busy loops on two cores 3.8-4.3 -> 6.9-7.5 ms.
        ThreadName.SetForThisThread("ws-connection");
        BatchScheduling.ForThisThread();
        while (true)
        {
            Func<Action>? work;
            while ((work = Interlocked.Exchange(ref self.Work, null)) is null)
                self.Bell.Park();
            Action publishResult = work();
            // Back in the parked set before the result is out: the session awaiting it may
            // end and the next begin at once, and must find this thread here rather than
            // start another (a new thread is a new eventfd, which the worker's descriptor
            // check after each connection would take for a leak, and retire).
            lock (Gate)
                Idle.Push(self);
            publishResult();
        }
    }
}
