using Serilog;
using Supervisor.Handoff;

namespace Supervisor.Worker;

/// <summary>
/// What one connection gets from the control channel: broadcasts and targeted messages
/// for its client (held until the session has a sender, so a push right after the 101
/// is not lost), and "going away". Also the way it reports its app's pid.
/// </summary>
public sealed class SessionLink(WorkerLink link)
{
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
                return;
            if (_sender is null)
            {
                _early!.Add(utf8.ToArray());
                return;
            }
            sender = _sender;
        }
        sender.SendText(utf8);
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
                sender.SendText(message);
        }
    }

    /// <summary>After this nothing more reaches the client through this link.</summary>
    public void End()
    {
        lock (_gate)
            _ended = true;
    }

    public void ReportAppStarted(int appPid, ILogger log)
    {
        if (!link.Write(FrameType.AppStarted, System.Text.Encoding.ASCII.GetBytes(appPid.ToString())))
            log.Debug("could not report the app pid: the acceptor has gone");
    }
}
