using System.Net.Sockets;
using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Acceptor;

/// <summary>
/// The handoff. Spawns a worker with the client socket at fd 3 and a fresh control
/// channel at fd 4, sends the 101 (so the worker never writes before it), writes the
/// start frame, and closes the acceptor's copy of the client socket: from then on the
/// connection's bytes never pass through this process.
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

    /// <summary>Returns the worker's pid and the acceptor's end of its control channel.
    /// Throws <see cref="UnixException"/> if the worker cannot be started; the client
    /// socket is then untouched, so the caller can still answer with an HTTP status.</summary>
    public (int Pid, ControlChannel Control) Launch(Socket client, byte[] switchingProtocols, WorkerStart start)
    {
        var (mine, theirs) = FdPair.StreamSocketPair();
        var control = new ControlChannel(new Socket(new SafeSocketHandle(mine, ownsHandle: true)));
        int pid;
        bool addedRef = false;
        try
        {
            // Keep the fd number valid across the call even if something disposes the
            // Socket concurrently.
            client.SafeHandle.DangerousAddRef(ref addedRef);
            int clientFd = (int)client.SafeHandle.DangerousGetHandle();
            pid = PosixSpawn.Spawn(_self, [_self, HandoffContract.WorkerCommand, start.ConnectionId], _workerEnvironment,
                [new FdMapping(clientFd, HandoffContract.ClientSocketFd), new FdMapping(theirs, HandoffContract.ControlFd)],
                newProcessGroup: true, stdinFromDevNull: true);
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
        return (pid, control);
    }
}
