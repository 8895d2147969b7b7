using System.Net.Sockets;
using System.Runtime.InteropServices;
using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Channels;

/// <summary>
/// The acceptor's end of one worker's (or socket-mode app's) control channel: a unix stream
/// socket, left in blocking mode, that never goes near the runtime's socket engine. The
/// engine registers every socket it touches for EPOLLIN|EPOLLOUT|EPOLLET, for good; then
/// every frame a worker reads frees buffer space on our end, the kernel reports EPOLLOUT,
/// and the acceptor's epoll thread wakes to find nothing to do, then its thread pool too.
/// Measured in the benchmark's broadcast to 1000 clients: with the channels out of the
/// engine, the server's CPU per client per line fell from 53 to 39–43 µs, the acceptor's
/// own by ~40 %, and the kernel's unix_write_space from ~4 % of all CPU to under 1 %.
/// So what the worker says is read by the <see cref="ChannelPoller"/>, sends go out with
/// MSG_DONTWAIT, a send that finds the buffer full waits for the poller to report room,
/// and the handover's send blocks.
/// </summary>
public sealed class ControlChannel(Socket socket) : IDisposable
{
    private readonly object _gate = new();
    private PolledChannel? _polled;
    private bool _disposed;

    /// <summary>From now on the poller reads what the peer sends, on its own thread: each
    /// frame goes to <paramref name="onFrame"/>, then <paramref name="onEnd"/> once, at end
    /// of stream or a broken one (not after <see cref="Dispose"/>). Both must return at once.
    /// Called once, before anything is sent that might have to wait; on a channel already
    /// disposed (its worker gone) it does nothing. Throws <see cref="UnixException"/> if the
    /// poller cannot take it.</summary>
    public void Listen(ChannelPoller poller, Action<ControlFrame> onFrame, Action onEnd)
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            if (_polled is not null)
                throw new InvalidOperationException("the control channel is listened to already");
            _polled = poller.Add(socket, onFrame, onEnd);
        }
    }

    /// <summary>Bytes the kernel took now (0 if the socket's buffer is full), or -1 if the
    /// peer has gone.</summary>
    public int TrySend(ReadOnlySpan<byte> data) => NonBlockingSend.TrySend(socket, data);

    /// <summary>Sends all of <paramref name="data"/>, waiting for room through the poller
    /// whenever the buffer is full. False if the peer has gone or the channel is closed.</summary>
    public async Task<bool> SendAsync(ReadOnlyMemory<byte> data)
    {
        while (true)
        {
            int sent = TrySend(data.Span);
            if (sent < 0)
                return false;
            data = data[sent..];
            if (data.IsEmpty)
                return true;
            if (sent == 0 && !await WritableAsync())
                return false;
        }
    }

    private Task<bool> WritableAsync()
    {
        PolledChannel? polled;
        lock (_gate)
            polled = _polled;
        return polled?.WaitWritableAsync() ?? Task.FromResult(false);
    }

    /// <summary>Sends <paramref name="frame"/> whole with <paramref name="descriptor"/>
    /// attached to its first byte (SCM_RIGHTS): the handover. It may block, briefly: the
    /// worker is idle and reading its channel. Throws <see cref="UnixException"/> or
    /// <see cref="SocketException"/> if the worker has gone, and
    /// <see cref="ObjectDisposedException"/> if either socket was closed.</summary>
    public void SendWithDescriptor(ReadOnlySpan<byte> frame, SafeHandle descriptor)
    {
        bool descriptorRef = false, socketRef = false;
        try
        {
            // Both fd numbers stay valid across the calls even if something closes them
            // concurrently.
            descriptor.DangerousAddRef(ref descriptorRef);
            socket.SafeHandle.DangerousAddRef(ref socketRef);
            int sent = DescriptorPassing.SendWith((int)socket.SafeHandle.DangerousGetHandle(), frame,
                (int)descriptor.DangerousGetHandle());
            // A plain blocking send(2): the socket is in blocking mode and no async call ever
            // ran on it, so the runtime has no reason to wait through its engine.
            if (sent < frame.Length)
                socket.Send(frame[sent..]);
        }
        finally
        {
            if (descriptorRef)
                descriptor.DangerousRelease();
            if (socketRef)
                socket.SafeHandle.DangerousRelease();
        }
    }

    /// <summary>shutdown(SHUT_WR): EOF for the peer, which a worker takes as "exit once
    /// idle". Quietly nothing if the channel is gone already.</summary>
    public void ShutdownSend()
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

    /// <summary>Off the poller first, then closed: once the fd number is free it may be a
    /// new channel's, and the old registration must not report for it.</summary>
    public void Dispose()
    {
        PolledChannel? polled;
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            polled = _polled;
        }
        polled?.Remove();
        socket.Dispose();
    }
}
