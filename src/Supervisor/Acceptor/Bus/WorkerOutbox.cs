using System.Threading.Channels;
using Serilog;
using Supervisor.Acceptor.Channels;
using Supervisor.Handoff;

namespace Supervisor.Acceptor.Bus;

/// <summary>
/// What the acceptor has to say to one worker's connection: a pushed message is written
/// to the client directly when the <see cref="DirectPush"/> can (nothing queued, the worker
/// not writing), else sent to the worker at once when nothing is waiting, else kept in a
/// bounded queue drained by one task.
/// A full queue first means "busy": the sender waits for room, up to
/// <see cref="StallTimeout"/>, which slows the FIFO's writers down instead of losing
/// lines in a burst. A queue still full after that belongs to a client that has stopped
/// reading: it is marked stalled and further messages to it are dropped (counted, logged
/// once per stall) until it has drained to half, while every other worker's delivery
/// goes on. Frames are shared byte arrays, so a broadcast costs one copy however many
/// queues hold it.
/// </summary>
public sealed class WorkerOutbox
{
    /// <summary>Frames waiting per worker. With ~4 KiB lines this holds about 1 MiB of
    /// backlog for a stalled client before it starts missing messages.</summary>
    public const int Capacity = 256;

    /// <summary>How long a full queue may hold up a sender before its client is deemed
    /// stalled. Long enough for a reading client on a loaded machine to catch up with a
    /// burst; short enough that one stuck client costs the bus one pause, not one per line.</summary>
    public static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(1);

    public enum PostResult { Queued, Full, Dropped }

    private readonly Channel<byte[]> _queue = Channel.CreateBounded<byte[]>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly ControlChannel _control;
    private readonly DirectPush? _direct;
    private readonly string _connectionId;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();

    // Text messages that went (or are queued to go) over the channel: the worker has to
    // write all of them before a direct push may follow (see SendGate).
    private int _textsViaChannel;

    // Whoever holds it writes to the channel: the pump, or a post sending straight away.
    // It starts taken, so nothing goes out before the worker's start frame (see Start).
    private readonly SemaphoreSlim _writer = new(0, 1);

    // The pump starts with the first frame that has to wait in the queue, not with the
    // connection: most connections never have one, and a pump that only ever waited cost
    // every connection a thread-pool wake-up when it was stopped.
    private readonly Lock _pumpLock = new();
    private bool _started;
    private Task? _pump;
    private long _dropped;
    private int _stalled;

    /// <summary><paramref name="direct"/>: null where the acceptor holds no copy of the client
    /// socket (a socket-mode app's connection).</summary>
    public WorkerOutbox(ControlChannel control, DirectPush? direct, string connectionId, ILogger log)
    {
        _control = control;
        _direct = direct;
        _connectionId = connectionId;
        _log = log;
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Begins sending: called once the worker's start frame is on the channel, so
    /// nothing queued before overtakes it.</summary>
    public void Start()
    {
        _writer.Release();
        lock (_pumpLock)
        {
            _started = true;
            if (_queue.Reader.Count > 0)
                StartPumpLocked();
        }
    }

    /// <summary>After a frame went into the queue: someone must drain it. Under the lock
    /// with <see cref="Start"/>, so a frame queued while it runs is seen by one or the other.</summary>
    private void EnsurePump()
    {
        lock (_pumpLock)
        {
            if (_started && !_stop.IsCancellationRequested)
                StartPumpLocked();
        }
    }

    /// <summary>Under <see cref="_pumpLock"/>. The pump runs on the pool, so that its first
    /// send never runs under the lock.</summary>
    private void StartPumpLocked() => _pump ??= Task.Run(PumpAsync);

    /// <summary>The connection is over but its worker lives on for the next one: stop after
    /// the frame being sent (never mid-frame: the channel would lose its framing), drop
    /// the rest, and return once nothing of this outbox can reach the channel any more.</summary>
    public Task StopAsync()
    {
        _queue.Writer.TryComplete();
        _stop.Cancel();
        return StopWritingAsync();
    }

    private async Task StopWritingAsync()
    {
        Task? pump;
        lock (_pumpLock)
            pump = _pump;
        if (pump is not null)
            await pump;
        await _writer.WaitAsync(); // after a post's send in progress; never given back
    }

    /// <summary>A pushed message: written to the client now, or else as
    /// <see cref="TryPost(byte[])"/> does with its channel frame.</summary>
    public PostResult TryPost(PushedText text) => TryPost(text.ChannelFrame, text);

    /// <summary>Queues a complete control frame without waiting. <see cref="PostResult.Full"/>:
    /// not queued, and the caller may wait with <see cref="PostWithinAsync"/>.</summary>
    public PostResult TryPost(byte[] frame) => TryPost(frame, text: null);

    private PostResult TryPost(byte[] frame, PushedText? text)
    {
        if (Volatile.Read(ref _stalled) == 1)
        {
            if (_queue.Reader.Count > Capacity / 2)
            {
                Interlocked.Increment(ref _dropped);
                return PostResult.Dropped;
            }
            Volatile.Write(ref _stalled, 0);
            _log.Information("connection {ConnectionId} is reading again; {Dropped} messages to it were dropped while it was stalled",
                _connectionId, Dropped);
        }
        if (TrySendNow(frame, text))
            return PostResult.Queued;
        if (!_queue.Writer.TryWrite(frame))
            return PostResult.Full;
        CountIfText(frame);
        EnsurePump();
        return PostResult.Queued;
    }

    private void CountIfText(byte[] frame)
    {
        if (frame[0] == (byte)FrameType.Text)
            Interlocked.Increment(ref _textsViaChannel);
    }

    /// <summary>With nothing queued and nobody writing, the message goes out from this
    /// thread with one non-blocking send, to the client if it can, else to the worker: a
    /// broadcast to a thousand idle queues is a thousand sends, not a thousand pump
    /// wake-ups on the thread pool. A full socket buffer (or a gone worker) leaves it to
    /// the queue; a partial send is finished before anything else may write.</summary>
    private bool TrySendNow(byte[] frame, PushedText? text)
    {
        if (_queue.Reader.Count > 0 || !_writer.Wait(0))
            return false;
        bool finishing = false;
        try
        {
            if (_queue.Reader.Count > 0 || _stop.IsCancellationRequested)
                return false;
            if (text is not null && _direct is not null)
            {
                switch (_direct.TryWrite(text, Volatile.Read(ref _textsViaChannel), out Task rest))
                {
                    case DirectPush.Outcome.Written:
                        return true;
                    case DirectPush.Outcome.Finishing:
                        finishing = true;
                        _ = ReleaseWriterAfter(rest);
                        return true;
                }
            }
            int sent = _control.TrySend(frame);
            if (sent == frame.Length)
            {
                CountIfText(frame);
                return true;
            }
            if (sent <= 0)
                return false;
            CountIfText(frame);
            finishing = true;
            _ = FinishAsync(frame, sent);
            return true;
        }
        finally
        {
            if (!finishing)
                _writer.Release();
        }
    }

    private async Task ReleaseWriterAfter(Task finishing)
    {
        try
        {
            await finishing;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>The rest of a frame the kernel took only part of, sent as room appears. If
    /// the worker goes meanwhile, the reaper removes it from the registry.</summary>
    private async Task FinishAsync(byte[] frame, int sent)
    {
        try
        {
            await _control.SendAsync(frame.AsMemory(sent));
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Waits for room until <paramref name="deadline"/>; past it, marks the client
    /// stalled and drops the frame.</summary>
    public async Task<bool> PostWithinAsync(byte[] frame, CancellationToken deadline)
    {
        try
        {
            while (await _queue.Writer.WaitToWriteAsync(deadline))
            {
                if (_queue.Writer.TryWrite(frame))
                {
                    CountIfText(frame);
                    EnsurePump();
                    return true;
                }
            }
            return false; // completed: the worker is gone
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _dropped);
            if (Interlocked.Exchange(ref _stalled, 1) == 0)
                _log.Warning("connection {ConnectionId} is not reading ({Capacity} messages queued for {Timeout} s): dropping messages to it until it catches up",
                    _connectionId, Capacity, StallTimeout.TotalSeconds);
            return false;
        }
    }

    public void Complete() => _queue.Writer.TryComplete();

    private async Task PumpAsync()
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stop.Token))
            {
                await _writer.WaitAsync(_stop.Token);
                bool gone;
                try
                {
                    gone = !await SendQueuedAsync();
                }
                finally
                {
                    _writer.Release();
                }
                if (gone)
                {
                    // The worker is gone; the reaper removes it from the registry.
                    _queue.Writer.TryComplete();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped between frames.
        }
    }

    /// <summary>Sends what is queued, whole frames only, until stopped; false if the worker
    /// has gone. A full socket buffer waits for the poller to report room.</summary>
    private async Task<bool> SendQueuedAsync()
    {
        while (!_stop.IsCancellationRequested && _queue.Reader.TryRead(out byte[]? frame))
        {
            if (!await _control.SendAsync(frame))
                return false;
        }
        return true;
    }
}
