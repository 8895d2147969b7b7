using System.Collections.Concurrent;

namespace Supervisor.Acceptor;

/// <summary>The live workers by pid. The acceptor's only per-connection state once a
/// connection is handed over, so its memory grows by one entry per connection.</summary>
public sealed class WorkerRegistry
{
    private readonly ConcurrentDictionary<int, WorkerEntry> _byPid = new();

    public int Count => _byPid.Count;

    public ICollection<WorkerEntry> All => _byPid.Values;

    public void Add(WorkerEntry entry) => _byPid[entry.Pid] = entry;

    public bool TryRemove(int pid, out WorkerEntry? entry)
    {
        if (!_byPid.TryRemove(pid, out entry))
            return false;
        entry.Admission?.Dispose();
        return true;
    }

    public ICollection<int> Pids => _byPid.Keys;
}
