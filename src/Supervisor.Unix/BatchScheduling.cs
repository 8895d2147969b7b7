namespace Supervisor.Unix;

/// <summary>
/// SCHED_BATCH for the calling thread (sched(7)): it gets its fair share as before, but
/// its wake-ups never preempt the thread running on that CPU; they wait for that one's
/// slice to end or for it to sleep. Any process may choose it for its own threads.
/// </summary>
public static unsafe class BatchScheduling
{
    [ThreadStatic]
    private static bool t_madeBatch;

    /// <summary>True if <see cref="ForThisThread"/> made the calling thread batch. A process
    /// it starts would inherit the policy (SCHED_RESET_ON_FORK resets only real-time ones),
    /// so <see cref="PosixSpawn"/> gives such a child the default policy back.</summary>
    public static bool MadeThisThreadBatch => t_madeBatch;

    /// <summary>True if the calling thread is now SCHED_BATCH. Only a thread running the
    /// default policy switches: one that an operator started under another (systemd's
    /// CPUSchedulingPolicy=idle, chrt) keeps that choice.</summary>
    public static bool ForThisThread()
    {
        if (LibC.sched_getscheduler(0) != LibC.SCHED_OTHER)
            return false;
        int priority = 0; // struct sched_param: SCHED_BATCH takes priority 0
        t_madeBatch = LibC.sched_setscheduler(0, LibC.SCHED_BATCH, &priority) == 0;
        return t_madeBatch;
    }
}
