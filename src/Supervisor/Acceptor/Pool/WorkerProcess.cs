using Supervisor.Acceptor.Channels;
using Supervisor.Handoff;

namespace Supervisor.Acceptor.Pool;

/// <summary>One running worker process, idle in the pool or serving a connection (whose
/// <see cref="WorkerEntry"/> is in the registry under the same pid).</summary>
public sealed class WorkerProcess(int pid, ControlChannel control, SendGate gate)
{
    public int Pid { get; } = pid;

    public ControlChannel Control { get; } = control;

    /// <summary>Shared with the worker for as long as it lives, whichever connection it serves.</summary>
    public SendGate Gate { get; } = gate;

    /// <summary>Connections handed to it so far.</summary>
    public int Served { get; set; }

    /// <summary>When it last became idle, for trimming the pool after a spike.</summary>
    public long IdleSinceTicks { get; set; }
}
