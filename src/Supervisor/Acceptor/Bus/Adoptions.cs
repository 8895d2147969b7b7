using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Serilog;
using Supervisor.Acceptor.Channels;
using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Bus;

/// <summary>
/// Connections that outlived the acceptor that handed them over (it was killed: kill -9,
/// the OOM killer) and whose workers asked this one to take them onto the bus
/// (<see cref="AdoptRequest"/>). The worker's control-socket connection becomes its
/// control channel: pushes go to the worker over it, in order, through an outbox like any
/// other (never written to the client by the acceptor: this acceptor has no copy of the
/// client socket and no send gate shared with the worker); "going away" at shutdown too.
/// The entry ends when that channel does, which is when the worker has ended the
/// connection and exited.
/// </summary>
public sealed class Adoptions(WorkerRegistry registry, ChannelPoller poller, ILogger log)
{
    private static readonly byte[] AcceptedLine = Encoding.ASCII.GetBytes(AdoptRequest.Accepted + "\n");

    private readonly ConcurrentDictionary<uint, bool> _refusedUids = new();

    /// <summary>Why <paramref name="peer"/> may not adopt anything, or null if it may: only a
    /// process of the server's own user, which is what its workers run as. Anyone else
    /// allowed on the control socket (a pusher in the bus group: PHP as www-data) could
    /// otherwise register a connection of its own under another user's id and be sent that
    /// user's messages.</summary>
    public static string? Refusal(PeerCredentials? peer, uint serverUid)
    {
        if (peer is not { } p)
            return "adopt: the peer's credentials are unknown";
        return p.Uid == serverUid ? null : $"adopt is for the server's own workers (uid {serverUid}), not uid {p.Uid}";
    }

    /// <summary>Registers the connection and answers <see cref="AdoptRequest.Accepted"/> on
    /// <paramref name="socket"/>, which from then on belongs to the entry. Null if it did;
    /// else the error line to answer, the socket still the caller's.</summary>
    public string? Adopt(Socket socket, AdoptRequest request, int workerPid)
    {
        if (registry.Find(workerPid) is not null || registry.All.Any(w => w.ConnectionId == request.ConnectionId))
            return $"error connection {request.ConnectionId} is on the bus already";
        var control = new ControlChannel(socket);
        // Registered before the answer: what is pushed meanwhile waits in the outbox, which
        // starts sending only after the answer line, so nothing is lost and no frame comes
        // before it.
        var outbox = new WorkerOutbox(control, direct: null, request.ConnectionId, log);
        var entry = new WorkerEntry(workerPid, request.ConnectionId, request.Path, request.RemoteAddress, request.UserId,
            control, outbox)
        {
            Adopted = true,
            StartedAt = request.StartedAt,
        };
        // The app pid is the worker's word, and its group is SIGKILLed if the connection
        // outlasts --shutdown-timeout: any process of this uid may send `adopt`, so the pid
        // counts only if it is the worker's own child leading its own group.
        entry.AppPid = ProcessGroup.IsChildLeadingItsGroup(request.AppPid, workerPid) ? request.AppPid : 0;
        registry.Add(entry);
        try
        {
            // A fresh connection's socket buffer is empty: the short line goes out at once.
            socket.Send(AcceptedLine);
            control.Listen(poller, static _ => { }, () => Task.Run(() => End(entry, announced: true)));
        }
        catch (Exception e) when (e is SocketException or UnixException or ObjectDisposedException)
        {
            // Gone before the answer (it gave up waiting, or ended): never announced, so
            // withdrawn without an "ended" line; it will ask again if it still serves.
            log.Debug("worker {WorkerPid} left while {ConnectionId} was being adopted: {Error}", workerPid, request.ConnectionId, e.Message);
            End(entry, announced: false);
            return null;
        }
        outbox.Start();
        log.Information("connection {ConnectionId} (worker {WorkerPid}, {Path}, user {User}) rejoined the bus: it outlived the server that opened it",
            request.ConnectionId, workerPid, request.Path, request.UserId ?? "-");
        return null;
    }

    /// <summary>Once, when its channel ends (the worker has closed the connection and
    /// exited, or been killed): off the registry, so `status` and pushes no longer count it.</summary>
    private void End(WorkerEntry entry, bool announced)
    {
        if (registry.Find(entry.Pid) != entry || !registry.TryRemove(entry.Pid, out _))
            return;
        entry.Outbox.Complete();
        entry.Control.Dispose();
        if (announced)
            log.Information("adopted connection {ConnectionId} (worker {WorkerPid}) ended", entry.ConnectionId, entry.Pid);
    }

    /// <summary>True the first time a peer of <paramref name="uid"/> is refused: survivors
    /// of a server that ran as another user ask again every second, and a warning each time
    /// from each of them would bury the log.</summary>
    public bool FirstRefusalOf(uint uid) => _refusedUids.TryAdd(uid, true);
}
