using System.Net.Sockets;
using Supervisor.Handoff;

namespace Supervisor.Acceptor.Pool;

/// <summary>
/// Reads what each worker (or socket-mode app) says on its control channel: its app's
/// pid, and "ready" when its connection is over, which ends the connection's registry
/// entry and gives the worker back to the pool. EOF means it has exited or is exiting,
/// which is the reaper's cue even if SIGCHLD was coalesced with another.
/// </summary>
public sealed class WorkerReports(WorkerRegistry registry, WorkerPool pool, Reaper reaper)
{
    public async Task ListenAsync(WorkerProcess worker)
    {
        try
        {
            while (await worker.Control.ReadAsync() is { } frame)
            {
                switch (frame.Type)
                {
                    case FrameType.AppStarted when int.TryParse(frame.Payload.Span, out int appPid):
                        if (registry.Find(worker.Pid) is { } entry)
                            entry.AppPid = appPid;
                        break;
                    case FrameType.Ready:
                        await EndConnectionAsync(worker);
                        break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or InvalidDataException)
        {
            // Same as EOF: the worker is gone or going.
        }
        reaper.Poke();
    }

    /// <summary>A socket-mode app: only its exit matters.</summary>
    public async Task ListenAsync(WorkerEntry app)
    {
        try
        {
            while (await app.Control.ReadAsync() is not null)
            {
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or InvalidDataException)
        {
        }
        reaper.Poke();
    }

    /// <summary>Nothing queued for the old connection may reach the channel after this, so
    /// the worker's next start frame is the next thing it reads.</summary>
    private async Task EndConnectionAsync(WorkerProcess worker)
    {
        if (registry.TryRemove(worker.Pid, out var entry) && entry is not null)
            await entry.Outbox.StopAsync();
        pool.Return(worker);
    }
}
