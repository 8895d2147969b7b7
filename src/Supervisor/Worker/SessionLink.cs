using Serilog;
using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// What one connection gets from the acceptor: broadcasts and targeted messages for its
/// client, which the acceptor writes to the client itself when it can (see
/// <see cref="SendGate"/>) and otherwise sends on the control channel (held here until
/// the session has a sender, so a push right after the 101 is not lost), and "going
/// away". Also the way it reports its app's pid, and what the connection tells a server
/// started in place of a killed acceptor to rejoin its bus (<see cref="BusRejoin"/>).
/// </summary>
public sealed class SessionLink(WorkerLink link, SendGate gate, WorkerStart start)
{
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private int _appPid;
    private readonly TaskCompletionSource _goingAway = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private List<byte[]>? _early = [];
    private ClientSender? _sender;
    private bool _ended;

    /// <summary>Completes when the acceptor asks this connection to close with 1001.</summary>
    public Task GoingAway => _goingAway.Task;

    public void GoAway() => _goingAway.TrySetResult();

    /// <summary>Called by the control reader thread: sends now if the session is sending,
    /// keeps it for <see cref="Attach"/> if not yet, drops it once the session is over.</summary>
    public void Deliver(ReadOnlyMemory<byte> utf8)
    {
        ClientSender? sender;
        lock (_gate)
        {
            if (_ended)
            {
                gate.CountDelivered();
                return;
            }
            if (_sender is null)
            {
                _early!.Add(utf8.ToArray());
                return;
            }
            sender = _sender;
        }
        sender.SendText(utf8);
        gate.CountDelivered();
    }

    /// <summary>From now on messages go straight to <paramref name="sender"/>; the ones that
    /// came early go first, in order (the reader keeps holding new ones back until the
    /// early ones are out).</summary>
    public void Attach(ClientSender sender)
    {
        while (true)
        {
            List<byte[]> early;
            lock (_gate)
            {
                if (_early!.Count == 0)
                {
                    _early = null;
                    _sender = sender;
                    return;
                }
                early = _early;
                _early = [];
            }
            foreach (byte[] message in early)
            {
                sender.SendText(message);
                gate.CountDelivered();
            }
        }
    }

    /// <summary>After this nothing more reaches the client through this link.</summary>
    public void End()
    {
        lock (_gate)
        {
            _ended = true;
            // Held back for a sender that never came: dealt with all the same.
            gate.CountDelivered(_early?.Count ?? 0);
            _early?.Clear();
        }
    }

    /// <summary>Payload bytes the acceptor wrote to this client itself.</summary>
    public long PushedBytes => gate.DirectBytes;

    /// <summary>When it last did (<see cref="Environment.TickCount64"/>), 0 if never.</summary>
    public long LastPushedTicks => gate.LastDirectTicks;

    /// <summary>Once the 101 is out: the acceptor may write pushed messages to the client
    /// itself from now on, each write of this worker's to <paramref name="stream"/> taking
    /// its turn. Disposing the result ends that (the session is over). If the connection
    /// is torn down before the gate opens, pushes keep coming through the channel.</summary>
    public IDisposable ShareWrites(BlockingSocketStream stream)
    {
        var turns = new ClientWriteTurns(gate, () => stream.IsDisposed || link.AtEnd);
        if (gate.Open(turns.GiveUp))
            stream.Turns = turns;
        return turns;
    }

    private volatile ILogger? _log;

    /// <summary>The session's logger, once it has one (set on the loop's thread, read on the
    /// control reader's): the rejoin's log lines name the connection.</summary>
    public ILogger? Log
    {
        get => _log;
        set => _log = value;
    }

    /// <summary>The connection as the acceptor's registry had it, for a server started in
    /// its place (the path and user as the app's environment has them).</summary>
    public AdoptRequest DescribeForAdoption() => new(start.ConnectionId,
        start.Variable("SCRIPT_NAME", System.Text.Encoding.Latin1) ?? start.RequestPath,
        start.RemoteAddress, start.Variable(Acceptor.AppEnvironment.UserVariable, System.Text.Encoding.UTF8),
        Volatile.Read(ref _appPid), _startedAt);

    /// <summary>Where the server's control socket is (WS_CONTROL_SOCKET); null with --control=off.</summary>
    public string? ControlSocketPath => start.Variable(Acceptor.AppEnvironment.ControlSocketVariable, System.Text.Encoding.UTF8);

    public void ReportAppStarted(int appPid, ILogger log)
    {
        Volatile.Write(ref _appPid, appPid);
        if (!link.Write(FrameType.AppStarted, System.Text.Encoding.ASCII.GetBytes(appPid.ToString())))
            log.Debug("could not report the app pid: the acceptor has gone");
    }
}
