namespace Supervisor.Unix;

/// <summary>
/// SCHED_BATCH for the calling thread (sched(7)): it gets its fair share as before, but
/// its wake-ups never preempt the thread running on that CPU; they wait for that one's
/// slice to end or for it to sleep. Any process may choose it for its own threads.
/// </summary>
public static unsafe class BatchScheduling
{
    /// <summary>True if the calling thread is now SCHED_BATCH.</summary>
    public static bool ForThisThread()
    {
        int priority = 0; // struct sched_param: SCHED_BATCH takes priority 0
        return LibC.sched_setscheduler(0, LibC.SCHED_BATCH, &priority) == 0;
    }
}
