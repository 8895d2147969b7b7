using System.Net.WebSockets;
using System.Text.Unicode;
using System.Threading.Channels;
using Serilog;
using Supervisor.Handoff;

namespace Supervisor.Worker.Modes;

/// <summary>
/// cgi mode's sink: each client message starts a run of the app (<see cref="CgiRun"/>),
/// at most --cgi-concurrency at once; replies go out in the order the messages came
/// in, whatever order the runs finish in. While every slot is taken the receive loop
/// waits, so a client that sends faster than the app answers is slowed by TCP, and
/// memory stays bounded by concurrency × --max-message.
/// </summary>
public sealed class CgiRunner(WorkerStart start, ILogger log) : IMessageSink, IDisposable
{
    /// <summary>Why <see cref="SendRepliesAsync"/> stopped.</summary>
    public enum Outcome { Stopped, ClientGone, TimedOut, ReplyTooLong, CouldNotStart }

    private readonly SemaphoreSlim _slots = new(start.Settings.CgiConcurrency, start.Settings.CgiConcurrency);
    private readonly Channel<Task<CgiReply>> _pending = Channel.CreateUnbounded<Task<CgiReply>>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task<CgiReply>> _inFlight = [];
    private int _runs;

    public int Runs => Volatile.Read(ref _runs);

    public async ValueTask<SinkResult> DeliverAsync(WebSocketMessageType type, byte[] buffer, int length, CancellationToken cancellation)
    {
        await _slots.WaitAsync(cancellation);
        if (_stop.IsCancellationRequested)
            return SinkResult.Closed;
        byte[] message = buffer.AsSpan(0, length).ToArray();
        Interlocked.Increment(ref _runs);
        var run = CgiRun.RunAsync(start, message, type, log, _stop.Token);
        lock (_inFlight)
        {
            _inFlight.RemoveAll(t => t.IsCompleted);
            _inFlight.Add(run);
        }
        _pending.Writer.TryWrite(run);
        return SinkResult.Delivered;
    }

    /// <summary>Sends each reply in request order: text if it is valid UTF-8, else binary.
    /// Ends at the first run that failed the session, or when stopped.</summary>
    public async Task<Outcome> SendRepliesAsync(ClientSender sender)
    {
        await foreach (var run in _pending.Reader.ReadAllAsync())
        {
            var reply = await run;
            try
            {
                switch (reply.Outcome)
                {
                    case CgiRunOutcome.Cancelled: return Outcome.Stopped;
                    case CgiRunOutcome.TimedOut: return Outcome.TimedOut;
                    case CgiRunOutcome.ReplyTooLong: return Outcome.ReplyTooLong;
                    case CgiRunOutcome.CouldNotStart: return Outcome.CouldNotStart;
                }
                bool sent = Utf8.IsValid(reply.Output)
                    ? await sender.SendTextAsync(reply.Output)
                    : await sender.SendBinaryAsync(reply.Output);
                if (!sent)
                    return Outcome.ClientGone;
            }
            finally
            {
                _slots.Release();
            }
        }
        return Outcome.Stopped;
    }

    /// <summary>Stops taking messages and stops the runs in flight (SIGTERM, then SIGKILL).</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        _pending.Writer.TryComplete();
        Task[] running;
        lock (_inFlight)
            running = _inFlight.Where(t => !t.IsCompleted).ToArray<Task>();
        await Task.WhenAll(running).FinishesWithin(TimeSpan.FromSeconds(7));
    }

    // The semaphore is left to the GC: a reply loop still unwinding may release it.
    public void Dispose() => _stop.Dispose();
}
