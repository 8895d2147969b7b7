using System.Collections.Concurrent;

namespace Supervisor.Acceptor;

/// <summary>The live connections by the pid of the process serving them (a worker, or a
/// socket-mode app). The acceptor's only per-connection state once a connection is
/// handed over, so its memory grows by one entry per connection. Idle workers are the
/// pool's, not here.</summary>
public sealed class WorkerRegistry
{
    private readonly ConcurrentDictionary<int, WorkerEntry> _byPid = new();

    public int Count => _byPid.Count;

    /// <summary>A snapshot, for listing and shutdown.</summary>
    public ICollection<WorkerEntry> All => _byPid.Values;

    /// <summary>A live walk without a snapshot: what every broadcast line goes through, so
    /// it must not copy a thousand references per line. Entries added or removed during
    /// the walk may or may not be seen.</summary>
    public IEnumerable<WorkerEntry> Live
    {
        get
        {
            foreach (var pair in _byPid)
                yield return pair.Value;
        }
    }

    public void Add(WorkerEntry entry) => _byPid[entry.Pid] = entry;

    /// <summary>The connection a worker is serving now, if any.</summary>
    public WorkerEntry? Find(int pid) => _byPid.GetValueOrDefault(pid);

    /// <summary>Ends a connection's entry, and with it the admission slots it holds unless
    /// <paramref name="releaseAdmission"/> is false (a hand-off about to try another worker).</summary>
    public bool TryRemove(int pid, out WorkerEntry? entry, bool releaseAdmission = true)
    {
        if (!_byPid.TryRemove(pid, out entry))
            return false;
        if (releaseAdmission)
            entry.Admission?.Dispose();
        return true;
    }

    public ICollection<int> Pids => _byPid.Keys;

    /// <summary>The pids of our own children: what the reaper may wait for. An adopted
    /// connection's worker was another acceptor's child, and waitpid says ECHILD for it.</summary>
    public IEnumerable<int> ChildPids => _byPid.Where(pair => !pair.Value.Adopted).Select(pair => pair.Key);
}
