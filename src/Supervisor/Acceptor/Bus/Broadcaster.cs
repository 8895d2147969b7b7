using Supervisor.Handoff;

namespace Supervisor.Acceptor.Bus;

/// <summary>Fans one text message out to the workers a predicate picks: one encoded frame,
/// one non-blocking post per worker. Returns how many connections it reached.</summary>
public sealed class Broadcaster(WorkerRegistry registry)
{
    public int Send(ReadOnlySpan<byte> utf8, Func<WorkerEntry, bool> addressed)
    {
        byte[]? frame = null;
        int reached = 0;
        foreach (var worker in registry.All)
        {
            if (!addressed(worker))
                continue;
            frame ??= new ControlFrame(FrameType.Text, utf8.ToArray()).Encode();
            if (worker.Outbox.TryPost(frame))
                reached++;
        }
        return reached;
    }

    public int SendToAll(ReadOnlySpan<byte> utf8) => Send(utf8, static _ => true);
}
