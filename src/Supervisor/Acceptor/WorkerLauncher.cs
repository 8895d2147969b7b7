using System.Net.Sockets;
using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Acceptor;

/// <summary>
/// The handoff, in two steps so the worker is in the registry before its client learns
/// it is connected (a push sent right after the 101 must reach it): <see cref="Spawn"/>,
/// then <see cref="Handover"/>.
/// </summary>
public sealed class WorkerLauncher
{
    private readonly string _self = Environment.ProcessPath
        ?? throw new InvalidOperationException("cannot tell this program's own path");

    // The worker gets the acceptor's environment (so DOTNET_* tuning and locale apply to
    // both); the app's environment is built separately and sent in the start frame.
    private readonly string[] _workerEnvironment = WorkerEnvironment();

    private static string[] WorkerEnvironment()
    {
        var variables = Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
        // The GC's default region range is sized from physical memory, and the bookkeeping
        // it commits up front for that range cost ~260 kB of every worker's ~1.3 MB PSS
        // (measured: 1248 → 987 kB for an idle NativeAOT process). 4 GiB (hex) is still
        // far more heap than one connection can use. The knob is env-only (no runtimeconfig
        // name), and an operator's own setting wins.
        variables.TryAdd("DOTNET_GCRegionRange", "100000000");
        return variables.Select(v => $"{v.Key}={v.Value}").ToArray();
    }

    /// <summary>Starts a worker with the client socket at fd 3 and a fresh control channel at
    /// fd 4; returns its pid and the acceptor's end of that channel. The worker waits for
    /// its start frame (see <see cref="Handover"/>), so the caller can register it first.
    /// Throws <see cref="UnixException"/> if it cannot be started; the client socket is then
    /// untouched, so the caller can still answer with an HTTP status.</summary>
    public (int Pid, ControlChannel Control) Spawn(Socket client, WorkerStart start)
    {
        var (mine, theirs) = FdPair.StreamSocketPair();
        var control = new ControlChannel(new Socket(new SafeSocketHandle(mine, ownsHandle: true)));
        bool addedRef = false;
        try
        {
            // Keep the fd number valid across the call even if something disposes the
            // Socket concurrently.
            client.SafeHandle.DangerousAddRef(ref addedRef);
            int clientFd = (int)client.SafeHandle.DangerousGetHandle();
            int pid = PosixSpawn.Spawn(_self, [_self, HandoffContract.WorkerCommand, start.ConnectionId], _workerEnvironment,
                [new FdMapping(clientFd, HandoffContract.ClientSocketFd), new FdMapping(theirs, HandoffContract.ControlFd)],
                newProcessGroup: true, stdinFromDevNull: true);
            return (pid, control);
        }
        catch
        {
            control.Dispose();
            throw;
        }
        finally
        {
            if (addedRef)
                client.SafeHandle.DangerousRelease();
            FdPair.Close(theirs);
        }
    }

    /// <summary>Sends the 101, then the start frame (so the worker never writes to the client
    /// before the 101 is out, and the start frame is the first on the channel), and closes
    /// the acceptor's copy of the client socket: from then on the connection's bytes never
    /// pass through this process.</summary>
    public static void Handover(Socket client, byte[] switchingProtocols, ControlChannel control, WorkerStart start)
    {
        try
        {
            client.Send(switchingProtocols);
        }
        catch (SocketException)
        {
            // The client left during the spawn; the worker will find the socket closed
            // and end on its own.
        }
        control.WriteAsync(new ControlFrame(FrameType.Start, start.Encode())).AsTask().GetAwaiter().GetResult();
        // No operation is pending on it, so this closes our fd only: the worker's copy
        // keeps the connection open.
        client.Dispose();
    }
}
