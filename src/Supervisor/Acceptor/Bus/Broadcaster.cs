namespace Supervisor.Acceptor.Bus;

/// <summary>
/// Fans one text message out to the connections a predicate picks: its frames made once
/// (<see cref="PushedText"/>), one non-blocking post per connection, which writes it to
/// the client itself where it can. Queues that are full are waited on together, for at
/// most <see cref="WorkerOutbox.StallTimeout"/> in all, so a burst slows its sender down
/// (the FIFO's writers block, nothing is lost) and a stalled client costs one pause.
/// Returns how many connections it reached.
/// </summary>
public sealed class Broadcaster(WorkerRegistry registry)
{
    public int Send(PushedText text, Func<WorkerEntry, bool> addressed)
    {
        List<WorkerOutbox>? full = null;
        int reached = 0;
        foreach (var worker in registry.Live)
        {
            if (!addressed(worker))
                continue;
            switch (worker.Outbox.TryPost(text))
            {
                case WorkerOutbox.PostResult.Queued:
                    reached++;
                    break;
                case WorkerOutbox.PostResult.Full:
                    (full ??= []).Add(worker.Outbox);
                    break;
            }
        }
        if (full is not null)
            reached += WaitForRoom(full, text.ChannelFrame);
        return reached;
    }

    public int SendToAll(PushedText text) => Send(text, static _ => true);

    private static int WaitForRoom(List<WorkerOutbox> full, byte[] frame)
    {
        using var deadline = new CancellationTokenSource(WorkerOutbox.StallTimeout);
        bool[] posted = Task.WhenAll(full.Select(outbox => outbox.PostWithinAsync(frame, deadline.Token)))
            .GetAwaiter().GetResult();
        return posted.Count(p => p);
    }
}
