namespace Supervisor.Handoff;

/// <summary>
/// The whole contract between the acceptor and a worker, and the only type both sides
/// read. The acceptor spawns <c>ws-supervisor worker</c> with one end of a unix stream
/// socket pair at fd <see cref="ControlFd"/>, ahead of need (a pool of spare workers).
/// Everything on fd 4 is <see cref="ControlFrame"/>s. A connection is handed over as one
/// <see cref="FrameType.Start"/> frame with the client socket attached (SCM_RIGHTS), the
/// 101 inside it for the worker to write first; when it ends the worker answers <see cref="FrameType.Ready"/> and
/// waits for the next, or exits if it is retiring. EOF on fd 4 while idle means exit.
/// At fd <see cref="SendGateFd"/> a worker finds a memfd page it shares with the acceptor:
/// the <see cref="SendGate"/> through which the two take turns writing to the client.
/// A socket-mode app gets the client socket at fd <see cref="ClientSocketFd"/> instead.
/// </summary>
public static class HandoffContract
{
    public const string WorkerCommand = "worker";

    /// <summary><c>ws-supervisor worker --non-dumpable</c>: under --user, the worker makes
    /// itself non-dumpable first thing, as the kernel made the acceptor, so the apps (the
    /// same user) cannot read what it holds of earlier connections through /proc.</summary>
    public const string NonDumpableFlag = "--non-dumpable";

    /// <summary><c>ws-supervisor exec-app LIMITS PATH ARGS…</c>: what a worker runs instead of
    /// the app when --limit-* are set (see <see cref="AppLimits"/>).</summary>
    public const string ExecAppCommand = "exec-app";
    public const int ClientSocketFd = 3;
    public const int ControlFd = 4;
    public const int SendGateFd = 5;
}

public enum FrameType : byte
{
    // Acceptor → worker.
    Start = 1,        // payload: WorkerStart fields
    Text = 2,         // payload: UTF-8 text to send to the client as one message
    GoingAway = 3,    // close the client with 1001 and end

    // Worker → acceptor.
    AppStarted = 64,  // payload: the app's pid, decimal ASCII
    Ready = 65,       // the connection is over and closed; send the next Start
}
