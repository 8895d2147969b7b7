using Supervisor.Acceptor.Channels;
using Supervisor.Handoff;

namespace Supervisor.Acceptor.Pool;

/// <summary>
/// What each worker (or socket-mode app) says on its control channel, as the
/// <see cref="ChannelPoller"/> reads it: its app's pid, and "ready" when its connection is
/// over, which ends the connection's registry entry and gives the worker back to the pool.
/// EOF (or a stream that has lost its framing) means it has exited or is exiting, which is
/// the reaper's cue even if SIGCHLD was coalesced with another.
/// </summary>
public sealed class WorkerReports(WorkerRegistry registry, WorkerPool pool, Reaper reaper, ChannelPoller poller)
{
    public void Listen(WorkerProcess worker) =>
        worker.Control.Listen(poller, frame => OnReport(worker, frame), reaper.Poke);

    /// <summary>A socket-mode app: only its exit matters; what it writes is read and dropped.</summary>
    public void Listen(WorkerEntry app) =>
        app.Control.Listen(poller, static _ => { }, reaper.Poke);

    /// <summary>On the poller's thread, which reads every channel: nothing here may wait.</summary>
    private void OnReport(WorkerProcess worker, ControlFrame frame)
    {
        switch (frame.Type)
        {
            case FrameType.AppStarted when int.TryParse(frame.Payload.Span, out int appPid):
                if (registry.Find(worker.Pid) is { } entry)
                    entry.AppPid = appPid;
                break;
            case FrameType.Ready:
                // Runs here only as far as its first wait: stopping the outbox may wait for
                // a frame being sent, which may itself be waiting for this thread to report
                // room. Usually nothing is in flight, and it ends here without a thread hop.
                _ = EndConnectionAsync(worker);
                break;
        }
    }

    /// <summary>Nothing queued for the old connection may reach the channel after this, so
    /// the worker's next start frame is the next thing it reads.</summary>
    private async Task EndConnectionAsync(WorkerProcess worker)
    {
        if (registry.TryRemove(worker.Pid, out var entry) && entry is not null)
        {
            // First: a push still waiting for room in the client's socket ends now instead of
            // holding up the outbox's stop (the worker has shut the socket down, which should
            // wake it anyway).
            entry.Direct?.Dispose();
            await entry.Outbox.StopAsync();
        }
        pool.Return(worker);
    }
}
