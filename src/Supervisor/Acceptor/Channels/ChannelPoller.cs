using System.Collections.Concurrent;
using System.Net.Sockets;
using Serilog;
using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Channels;

/// <summary>
/// One thread with an epoll of its own that reads every control channel the acceptor holds,
/// instead of the runtime's socket engine (see <see cref="ControlChannel"/> for why).
/// Channels are watched for EPOLLIN|EPOLLRDHUP only; EPOLLOUT is added for one channel
/// while a send to it waits for room, and taken off at its first report.
/// <para>Level-triggered, not edge-triggered: each report gets one recv of at most
/// <see cref="ReadSize"/> bytes and whatever is left is reported again on the next wait,
/// so no channel has to be drained to EAGAIN, one chatty channel cannot hold the thread
/// while others wait, and nothing is lost if handling one report fails. What level
/// triggering asks in return is that a condition stop being reported once handled: a
/// channel at EOF is removed, and EPOLLOUT is disarmed as soon as it fires.</para>
/// <para>The thread lives as long as the acceptor. What it reports goes to callbacks that
/// must return at once; anything that waits (ending a connection waits for its outbox)
/// is theirs to move to the thread pool.</para>
/// </summary>
public sealed class ChannelPoller
{
    /// <summary>Workers send a few bytes at a time (an app's pid, "ready"): one read of this
    /// size takes all a worker has said since the last report.</summary>
    private const int ReadSize = 4096;

    private readonly ConcurrentDictionary<ulong, PolledChannel> _channels = new();
    private readonly byte[] _received = new byte[ReadSize]; // the poller thread's only
    private readonly ILogger _log;
    private long _lastToken;

    public ChannelPoller(ILogger log)
    {
        _log = log;
        Epoll = new Epoll();
        EpollThread.Start(Epoll, "Control channels", OnReport, log);
    }

    internal Epoll Epoll { get; }

    internal PolledChannel Add(Socket socket, Action<ControlFrame> onFrame, Action onEnd)
    {
        var channel = new PolledChannel(this, socket, (ulong)Interlocked.Increment(ref _lastToken), onFrame, onEnd);
        // In the table before it can be reported, so its first report finds it.
        _channels[channel.Token] = channel;
        try
        {
            Epoll.Add(socket.SafeHandle, PolledChannel.Reading, channel.Token);
        }
        catch
        {
            _channels.TryRemove(channel.Token, out _);
            throw;
        }
        return channel;
    }

    internal void Forget(ulong token) => _channels.TryRemove(token, out _);

    private void OnReport(ulong tag, uint events)
    {
        // A channel removed after the wait collected its report is no longer in the table,
        // so the report cannot reach whatever channel has its fd number now.
        if (_channels.TryGetValue(tag, out var channel))
            Dispatch(channel, events);
    }

    private void Dispatch(PolledChannel channel, uint events)
    {
        try
        {
            channel.OnReady(events, _received);
        }
        catch (Exception e)
        {
            // A bug met by one channel's report must cost that channel only: an exception
            // leaving this thread would end the acceptor.
            _log.Error(e, "internal error reading a control channel; treating it as closed");
            channel.End();
        }
    }
}
