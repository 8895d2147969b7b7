using Supervisor.Unix;

namespace Supervisor.Handoff;

/// <summary>
/// Who may write to a connection's client socket right now: its worker, or the acceptor
/// pushing a message (a broadcast, a targeted send) straight to the client instead of
/// waking the worker to do it. Both hold the socket; a WebSocket frame must reach it
/// whole, so they take turns through this lock in a page of shared memory that the
/// acceptor creates per worker (fd <see cref="HandoffContract.SendGateFd"/> in the worker).
/// </summary>
/// <remarks>
/// <para>Why: a pushed message used to cost a wake-up of every worker, one process
/// switch each with cold caches, ~47 µs of CPU per client per line. Written by the
/// acceptor, it costs one send.</para>
/// <para>The rules, each side's part in one word (<see cref="State"/>):</para>
/// <list type="bullet">
/// <item>The acceptor only ever tries: it enters if the word is exactly 0 (open, nobody
/// writing), and otherwise sends the message the old way, over the control channel, for
/// the worker to write. It never waits here, so a worker that is stuck or dead cannot
/// hold up anyone else's delivery.</item>
/// <item>The worker waits: a frame of the acceptor's in progress is short, or is being
/// finished as the client reads (which the worker could not beat anyway).</item>
/// <item><see cref="Closed"/>, set by the worker, keeps the acceptor out: before the 101
/// (the worker writes it), after the close frame, and between connections.</item>
/// <item>Order: a message that went over the control channel is written by the worker
/// later; one pushed directly must not overtake it. So the worker counts the messages it
/// has taken off the channel (<see cref="CountDelivered"/>), and the acceptor pushes directly
/// only when that count matches what it sent that way.</item>
/// </list>
/// <para>The direct pushes are counted here too, for the worker's access log line and its
/// idle clock (a pushed message is activity).</para>
/// </remarks>
public sealed class SendGate(SharedPage page) : IDisposable
{
    private const int StateOffset = 0;
    private const int DeliveredOffset = 4;
    private const int DirectBytesOffset = 8;
    private const int LastDirectOffset = 16;

    /// <summary>The worker is writing.</summary>
    private const int WorkerHolds = 1;

    /// <summary>The acceptor is writing (or finishing a frame the socket took part of).</summary>
    private const int AcceptorHolds = 2;

    /// <summary>The worker sleeps on the word until the acceptor is done.</summary>
    private const int WorkerWaiting = 4;

    /// <summary>No direct pushes: no connection, no 101 yet, or the close frame is out.</summary>
    private const int Closed = 8;

    /// <summary>How long the worker sleeps before it looks whether to give up.</summary>
    private const int WaitSliceMs = 100;

    /// <summary>A fresh page is zeroed; a worker's gate starts closed.</summary>
    public static SendGate CreateClosed(SharedPage page)
    {
        var gate = new SendGate(page);
        Volatile.Write(ref gate.State, Closed);
        return gate;
    }

    private ref int State => ref page.Int32At(StateOffset);

    private ref int DeliveredWord => ref page.Int32At(DeliveredOffset);

    /// <summary>Payload bytes of the messages the acceptor wrote to the client itself
    /// during this connection.</summary>
    public long DirectBytes => Volatile.Read(ref page.Int64At(DirectBytesOffset));

    /// <summary>When it last did, in <see cref="Environment.TickCount64"/> (the monotonic
    /// clock, the same in both processes); 0 if it has not.</summary>
    public long LastDirectTicks => Volatile.Read(ref page.Int64At(LastDirectOffset));

    // ---- The acceptor's side ----

    /// <summary>Enters if the worker has dealt with every message sent to it over the
    /// channel during this connection (<paramref name="sentViaChannel"/> of them), the
    /// connection is open, and nobody is writing; never waits. False too once the page is
    /// disposed (its worker is gone), which cannot happen under a holder's feet: entering
    /// holds a reference on the page until <see cref="ExitForAcceptor"/>.</summary>
    public bool TryEnterForAcceptor(int sentViaChannel)
    {
        bool added = false;
        try
        {
            page.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        if (Volatile.Read(ref DeliveredWord) == sentViaChannel
            && Interlocked.CompareExchange(ref State, AcceptorHolds, 0) == 0)
            return true;
        page.DangerousRelease();
        return false;
    }

    /// <summary>Counts a message written whole (call while holding the gate).</summary>
    public void CountDirect(int payloadBytes)
    {
        Interlocked.Add(ref page.Int64At(DirectBytesOffset), payloadBytes);
        Volatile.Write(ref page.Int64At(LastDirectOffset), Environment.TickCount64);
    }

    public void ExitForAcceptor()
    {
        try
        {
            int before = Interlocked.And(ref State, ~(AcceptorHolds | WorkerWaiting));
            if ((before & WorkerWaiting) != 0)
                Futex.Wake(ref State);
        }
        finally
        {
            page.DangerousRelease();
        }
    }

    // ---- The worker's side ----

    /// <summary>Waits until the acceptor is not writing, and holds the gate. False if
    /// <paramref name="giveUp"/> says so first (looked at every <see cref="WaitSliceMs"/>):
    /// the connection is being torn down, or the acceptor died mid-frame.</summary>
    public bool EnterForWorker(Func<bool> giveUp)
    {
        while (true)
        {
            int state = Volatile.Read(ref State);
            if ((state & AcceptorHolds) == 0)
            {
                if (Interlocked.CompareExchange(ref State, state | WorkerHolds, state) == state)
                    return true;
                continue;
            }
            int waiting = state | WorkerWaiting;
            if (Interlocked.CompareExchange(ref State, waiting, state) != state)
                continue;
            Futex.Wait(ref State, waiting, WaitSliceMs);
            if ((Volatile.Read(ref State) & AcceptorHolds) != 0 && giveUp())
                return false;
        }
    }

    public void ExitForWorker() => Interlocked.And(ref State, ~WorkerHolds);

    /// <summary>No more direct pushes on this connection. Called while holding the gate
    /// once the close frame is written, or at any time when the connection is torn down (a
    /// push already in progress then finishes on a socket that is shut down).</summary>
    public void Close() => Interlocked.Or(ref State, Closed);

    /// <summary>A new connection is handed over: nothing of the last one's channel messages
    /// counts for it. Called by the control reader before it reads this connection's first
    /// message.</summary>
    public void ResetDelivered() => Volatile.Write(ref DeliveredWord, 0);

    /// <summary>Channel messages dealt with (sent or dropped).</summary>
    public void CountDelivered(int messages = 1) => Interlocked.Add(ref DeliveredWord, messages);

    /// <summary>Opens the gate to direct pushes once the 101 is out: waits out a push of
    /// the last connection still finishing (on a socket that is shut down, so not for
    /// long), then clears the counts and opens. False if <paramref name="giveUp"/> said so.</summary>
    public bool Open(Func<bool> giveUp)
    {
        if (!EnterForWorker(giveUp))
            return false;
        Volatile.Write(ref page.Int64At(DirectBytesOffset), 0);
        Volatile.Write(ref page.Int64At(LastDirectOffset), 0);
        // Held by us, so the acceptor cannot change the word meanwhile (it enters only from 0).
        Volatile.Write(ref State, 0);
        return true;
    }

    public void Dispose() => page.Dispose();
}
