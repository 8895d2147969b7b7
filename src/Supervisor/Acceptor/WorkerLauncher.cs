using System.Net.Sockets;
using Supervisor.Acceptor.Channels;
using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Acceptor;

/// <summary>
/// Starts workers (ahead of need, for the pool) and hands them connections: the start
/// frame with the client socket attached. The connection's bytes never pass through this
/// process; it keeps its copy of the socket only to write pushed messages to the client
/// itself, taking turns with the worker through the send gate it shares with each worker.
/// </summary>
/// <param name="nonDumpable">Under --user: the worker makes itself non-dumpable
/// (<see cref="HandoffContract.NonDumpableFlag"/>), as the kernel made the acceptor.</param>
public sealed class WorkerLauncher(bool nonDumpable)
{
    private readonly string _self = Environment.ProcessPath
        ?? throw new InvalidOperationException("cannot tell this program's own path");

    private string[] Argv => nonDumpable
        ? [_self, HandoffContract.WorkerCommand, HandoffContract.NonDumpableFlag]
        : [_self, HandoffContract.WorkerCommand];

    // Only what the runtime and libc read (WorkerEnvironment): apps can read a worker's
    // environment in /proc; the app's own environment is built apart, in the start frame.
    private readonly string[] _workerEnvironment = WorkerEnvironment.FromThisProcess();

    /// <summary>Starts a worker with a fresh control channel at fd 4 and a fresh send gate
    /// page at fd 5; returns its pid, the acceptor's end of that channel and its view of the
    /// gate. Throws <see cref="UnixException"/> if it cannot.</summary>
    public (int Pid, ControlChannel Control, SendGate Gate) Spawn()
    {
        var (page, pageFd) = SharedPage.Create("ws-supervisor-send-gate");
        var gate = SendGate.CreateClosed(page);
        int theirs = -1;
        ControlChannel? control = null;
        try
        {
            (int mine, theirs) = FdPair.StreamSocketPair();
            control = new ControlChannel(new Socket(new SafeSocketHandle(mine, ownsHandle: true)));
            int pid = PosixSpawn.Spawn(_self, Argv, _workerEnvironment,
                [new FdMapping(theirs, HandoffContract.ControlFd), new FdMapping(pageFd, HandoffContract.SendGateFd)],
                newProcessGroup: true, stdinFromDevNull: true);
            return (pid, control, gate);
        }
        catch
        {
            control?.Dispose();
            gate.Dispose();
            throw;
        }
        finally
        {
            if (theirs >= 0)
                FdPair.Close(theirs);
            FdPair.Close(pageFd);
        }
    }

    /// <summary>Sends the start frame (the 101 inside it; the worker writes it) with the
    /// client socket attached. Throws <see cref="UnixException"/> if the worker cannot take
    /// it (it has died): the client socket is then still ours and untouched, so the caller
    /// can try another worker or answer with a status. On success the caller keeps its copy
    /// of the socket until the connection ends, to write pushed messages itself.</summary>
    public static void Handover(Socket client, ControlChannel control, WorkerStart start)
    {
        byte[] frame = new ControlFrame(FrameType.Start, start.Encode()).Encode();
        control.SendWithDescriptor(frame, client.SafeHandle);
    }
}
