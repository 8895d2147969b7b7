using Supervisor.Handoff;

namespace Supervisor.Acceptor;

/// <summary>One live worker as the acceptor knows it.</summary>
public sealed class WorkerEntry(int pid, string connectionId, string path, string remoteAddress, ControlChannel control)
{
    private int _appPid;

    public int Pid { get; } = pid;

    public string ConnectionId { get; } = connectionId;

    public string Path { get; } = path;

    public string RemoteAddress { get; } = remoteAddress;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public ControlChannel Control { get; } = control;

    /// <summary>0 until the worker reports its app's pid.</summary>
    public int AppPid
    {
        get => Volatile.Read(ref _appPid);
        set => Volatile.Write(ref _appPid, value);
    }
}
