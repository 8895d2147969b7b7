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
        // Every compressed message (RFC 7692 without context takeover) allocates and frees
        // zlib-ng's deflate state, ~250 kB aligned to 64 bytes. glibc's memalign leaves a
        // small remainder behind each such block, and while its per-thread cache (tcache,
        // 7 chunks a size) keeps those remainders, a freed block cannot merge back into the
        // heap's top: the heap grew by a block per message until the cache was full. With
        // the cache off a worker keeps one freed state at most. Measured, 100 workers that
        // had each echoed 50 compressed 4 KiB lines: median PSS 2281 → 963 kB (770 kB
        // without compression). Nothing in a worker's per-message path mallocs otherwise;
        // apps do not inherit this (their environment is built apart).
        variables.TryAdd("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0");
        return variables.Select(v => $"{v.Key}={v.Value}").ToArray();
    }

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
            int pid = PosixSpawn.Spawn(_self, [_self, HandoffContract.WorkerCommand], _workerEnvironment,
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
