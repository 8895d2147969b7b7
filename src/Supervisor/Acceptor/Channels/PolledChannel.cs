using System.Net.Sockets;
using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Channels;

/// <summary>
/// One control channel as the <see cref="ChannelPoller"/> holds it: registered for
/// EPOLLIN|EPOLLRDHUP, with EPOLLOUT added only while a send waits for room. Reads and
/// reports happen on the poller's thread; <see cref="WaitWritableAsync"/> and
/// <see cref="Remove"/> come from any thread.
/// </summary>
internal sealed class PolledChannel(ChannelPoller poller, Socket socket, ulong token,
    Action<ControlFrame> onFrame, Action onEnd)
{
    /// <summary>What is watched for while no send waits: data, and the worker's end closing.</summary>
    public const uint Reading = Epoll.Readable | Epoll.PeerClosed;

    private static readonly Task<bool> Gone = Task.FromResult(false);

    private readonly FrameAssembler _frames = new();
    private readonly object _gate = new();
    private TaskCompletionSource<bool>? _writable;
    private bool _removed;

    /// <summary>The number this registration carries in the epoll, unique for the process's
    /// life (unlike the fd number).</summary>
    public ulong Token { get; } = token;

    /// <summary>Completes true once the socket has room (or an error a send will report),
    /// false if the channel is removed first. One waiter at a time: the outbox's writer.</summary>
    public Task<bool> WaitWritableAsync()
    {
        lock (_gate)
        {
            if (_removed)
                return Gone;
            if (_writable is { } waiting)
                return waiting.Task;
            // Its continuation, the next send, runs on the thread pool, never on the poller's thread.
            var writable = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                // The kernel checks readiness as it modifies: room that appeared since the
                // send that found none is reported at once, so no wake-up is lost.
                poller.Epoll.Modify(socket.SafeHandle, Reading | Epoll.Writable, Token);
            }
            catch (Exception e) when (e is UnixException or ObjectDisposedException)
            {
                return Gone;
            }
            _writable = writable;
            return writable.Task;
        }
    }

    /// <summary>On the poller's thread: what epoll reported for this channel.</summary>
    public void OnReady(uint events, Span<byte> buffer)
    {
        if ((events & (Epoll.Writable | Epoll.Error | Epoll.Hangup)) != 0)
            WakeWriter();
        if ((events & (Reading | Epoll.Error | Epoll.Hangup)) != 0)
            Read(buffer);
    }

    /// <summary>One read per report: level-triggered, whatever is left is reported again on
    /// the next wait.</summary>
    private void Read(Span<byte> buffer)
    {
        int received;
        try
        {
            received = NonBlockingReceive.TryReceive(socket, buffer);
        }
        catch (Exception e) when (e is UnixException or ObjectDisposedException)
        {
            End(); // ECONNRESET and the like: the worker is gone, as at EOF
            return;
        }
        if (received == NonBlockingReceive.NothingYet)
            return;
        if (received == 0 || !_frames.Feed(buffer[..received], onFrame))
            End();
    }

    /// <summary>EPOLLOUT is level-triggered too: it is taken off again at its first report,
    /// before the waiting send goes on, or it would be reported on every wait while the
    /// socket has room.</summary>
    private void WakeWriter()
    {
        TaskCompletionSource<bool>? writer;
        lock (_gate)
        {
            writer = _writable;
            _writable = null;
            if (writer is null || _removed)
                return;
            try
            {
                poller.Epoll.Modify(socket.SafeHandle, Reading, Token);
            }
            catch (Exception e) when (e is UnixException or ObjectDisposedException)
            {
                // Closing: the removal that follows settles it.
            }
        }
        writer.TrySetResult(true);
    }

    /// <summary>End of stream, or a stream that cannot be read any more: off the poller (a
    /// level-triggered EPOLLRDHUP would otherwise be reported forever), then the report.</summary>
    public void End()
    {
        if (Remove())
            onEnd();
    }

    /// <summary>Takes the channel off the poller while its fd is still open; a send waiting
    /// for room learns the channel is gone. True for the call that removed it.</summary>
    public bool Remove()
    {
        TaskCompletionSource<bool>? writer;
        lock (_gate)
        {
            if (_removed)
                return false;
            _removed = true;
            writer = _writable;
            _writable = null;
        }
        try
        {
            poller.Epoll.Remove(socket.SafeHandle);
        }
        catch (Exception e) when (e is UnixException or ObjectDisposedException)
        {
            // Closed already, which took it out of the epoll as well.
        }
        poller.Forget(Token);
        writer?.TrySetResult(false);
        return true;
    }
}
