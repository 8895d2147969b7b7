using Supervisor.Acceptor.Bus;
using Supervisor.Acceptor.Channels;

namespace Supervisor.Acceptor;

/// <summary>One live worker as the acceptor knows it: who its client is (connection id,
/// user, path) for targeting, and the channel to reach it.</summary>
public sealed class WorkerEntry(int pid, string connectionId, string path, string remoteAddress, string? userId,
    ControlChannel control, WorkerOutbox outbox)
{
    private int _appPid;

    public int Pid { get; } = pid;

    public string ConnectionId { get; } = connectionId;

    /// <summary>The app's path (SCRIPT_NAME), what `send path` matches.</summary>
    public string Path { get; } = path;

    public string RemoteAddress { get; } = remoteAddress;

    /// <summary>Set by the auth program at the handshake; null for anonymous connections.</summary>
    public string? UserId { get; } = userId;

    /// <summary>When the connection opened: now, or for an adopted one when the server
    /// that took it first opened it.</summary>
    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>A connection that outlived the acceptor that handed it over, and joined this
    /// one's bus (<see cref="Bus.Adoptions"/>): its worker is not our child (the reaper
    /// leaves it alone), and it ends when its channel does.</summary>
    public bool Adopted { get; init; }

    /// <summary>For reading what the worker reports; writes go through <see cref="Outbox"/>.</summary>
    public ControlChannel Control { get; } = control;

    public WorkerOutbox Outbox { get; } = outbox;

    /// <summary>The acceptor's copy of the client socket, for pushing messages itself; null
    /// for a socket-mode app. Disposed when the entry ends.</summary>
    public DirectPush? Direct { get; init; }

    /// <summary>In socket mode, the request target the app serves: the app is the entry's
    /// process, and the acceptor logs the connection's end when it reaps it. Null for a
    /// worker, which logs its connections' ends itself.</summary>
    public string? SocketAppTarget { get; init; }

    /// <summary>The connection's admission slots (total, per address, per user), given
    /// back when the registry drops the entry.</summary>
    public IDisposable? Admission { get; init; }

    /// <summary>0 until the worker reports its app's pid.</summary>
    public int AppPid
    {
        get => Volatile.Read(ref _appPid);
        set => Volatile.Write(ref _appPid, value);
    }
}
