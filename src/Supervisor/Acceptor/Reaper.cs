using System.Collections.Concurrent;
using Serilog;
using Supervisor.Acceptor.Pool;
using Supervisor.Logging;
using Supervisor.Unix;

namespace Supervisor.Acceptor;

/// <summary>
/// Collects exited workers: waitpid(pid, WNOHANG) over the pool's and the registry's
/// pids (socket-mode apps are only in the registry), never waitpid(-1). Poked by SIGCHLD and by a worker's control channel reaching EOF; one
/// pass at a time, and a poke during a pass causes one more pass, so no exit is missed.
/// </summary>
public sealed class Reaper(WorkerRegistry registry, WorkerPool pool, ILogger log)
{
    private readonly ConcurrentDictionary<int, bool> _killedAtShutdown = new();
    private int _state; // 0 idle, 1 running, 2 running and poked again

    /// <summary>Shutdown is about to SIGKILL this worker: its exit is that, not a crash.</summary>
    public void KilledAtShutdown(int pid) => _killedAtShutdown[pid] = true;

    public void Poke()
    {
        if (Interlocked.Exchange(ref _state, 2) == 0)
            ThreadPool.QueueUserWorkItem(_ => Run());
    }

    private void Run()
    {
        do
        {
            Volatile.Write(ref _state, 1);
            var pids = new HashSet<int>(pool.Pids);
            pids.UnionWith(registry.ChildPids);
            foreach (int pid in pids)
            {
                if (Processes.TryReap(pid) is not { } exit)
                    continue;
                bool killedAtShutdown = _killedAtShutdown.TryRemove(pid, out _) && exit.Signaled; // not if it exited first
                bool pooled = pool.Forget(pid);
                if (registry.TryRemove(pid, out var entry) && entry is not null)
                {
                    entry.Outbox.Complete();
                    entry.Control.Dispose();
                    entry.Direct?.Dispose(); // the client's last copy: the connection ends with its worker
                    if (entry.SocketAppTarget is { } target)
                    {
                        SocketAppEnd.Record(entry, target, exit, log);
                        continue;
                    }
                    if (pooled && killedAtShutdown)
                    {
                        log.Warning("worker {WorkerPid} for {ConnectionId} was killed at --shutdown-timeout", pid, entry.ConnectionId);
                        LogEndedForWorker(entry);
                    }
                    else if (!exit.Succeeded)
                    {
                        // A worker that died (OOM killer, SIGKILL) could not stop its app; an
                        // app that ignores stdin EOF would outlive it. Its group goes too.
                        if (entry.AppPid > 0)
                            Processes.Signal(-entry.AppPid, Processes.SIGKILL);
                        log.Warning("worker {WorkerPid} for {ConnectionId} ended abnormally: {Exit}", pid, entry.ConnectionId, exit);
                    }
                    else
                        log.Debug("worker {WorkerPid} for {ConnectionId} reaped", pid, entry.ConnectionId);
                }
                else if (pooled && killedAtShutdown)
                    log.Warning("worker {WorkerPid}, serving no connection, was killed at --shutdown-timeout", pid);
                else if (pooled && !exit.Succeeded)
                    log.Warning("idle worker {WorkerPid} ended abnormally: {Exit}", pid, exit);
            }
        }
        while (Interlocked.CompareExchange(ref _state, 0, 1) != 1);
    }

    /// <summary>A killed worker cannot log its connection's end; this is that line, with what
    /// the acceptor knows (no bytes, no close code: the worker may or may not have sent its 1001).</summary>
    private void LogEndedForWorker(WorkerEntry entry) =>
        ConnectionLog.For(log, entry.ConnectionId, entry.RemoteAddress).ForContext(LogSetup.AccessProperty, true)
            .Information("connection ended: {Path} worker={WorkerPid} app={AppPid} duration={DurationMs}ms reason=KilledAtShutdown",
                entry.Path, entry.Pid, entry.AppPid, (long)(DateTimeOffset.UtcNow - entry.StartedAt).TotalMilliseconds);
}
