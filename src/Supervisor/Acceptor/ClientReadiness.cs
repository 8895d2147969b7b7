using System.Collections.Concurrent;
using System.Net.Sockets;
using Serilog;
using Supervisor.Unix;

namespace Supervisor.Acceptor;

/// <summary>
/// Waits for a new client's bytes (and, later, for room to finish a pushed message) with an epoll and a thread of its own, instead of the
/// runtime's socket engine. The engine puts a socket into its epoll at the socket's first
/// wait and never takes it out, and epoll keeps a registration for as long as any process
/// holds the socket: after the hand-off every frame the client sent its worker woke the
/// acceptor's engine thread (986 wake-ups for 1,000 messages on one connection, counted
/// from /proc). Here each wait is one-shot, and the socket is out of the epoll again
/// before the wait completes.
/// </summary>
public sealed class ClientReadiness
{
    private const uint ForReading = Epoll.Readable | Epoll.PeerClosed | Epoll.OneShot;
    private const uint ForWriting = Epoll.Writable | Epoll.OneShot;

    private readonly Epoll _epoll = new();
    private readonly ConcurrentDictionary<ulong, Waiter> _waiting = new();
    private long _lastTag;

    private sealed class Waiter(Socket socket)
    {
        public Socket Socket { get; } = socket;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Cancellation { get; set; }
    }

    public ClientReadiness(ILogger log) =>
        EpollThread.Start(_epoll, "Client readiness", (tag, _) => Finish(tag, cancelled: false), log);

    /// <summary>Completes when <paramref name="socket"/> has bytes to read, or its peer has
    /// closed or failed (the next read says which); cancelled with <paramref name="cancellation"/>.</summary>
    public Task WhenReadableAsync(Socket socket, CancellationToken cancellation) =>
        WhenAsync(socket, ForReading, cancellation);

    /// <summary>Completes when <paramref name="socket"/> has room to send, or has failed or
    /// been shut down (the next send says which); cancelled with <paramref name="cancellation"/>.</summary>
    public Task WhenWritableAsync(Socket socket, CancellationToken cancellation) => WhenAsync(socket, ForWriting, cancellation);

    private Task WhenAsync(Socket socket, uint events, CancellationToken cancellation)
    {
        ulong tag = (ulong)Interlocked.Increment(ref _lastTag);
        var waiter = new Waiter(socket);
        _waiting[tag] = waiter; // before it can be reported
        try
        {
            _epoll.Add(socket.SafeHandle, events, tag);
        }
        catch
        {
            _waiting.TryRemove(tag, out _);
            throw;
        }
        waiter.Cancellation = cancellation.Register(() => Finish(tag, cancelled: true));
        return waiter.Done.Task;
    }

    /// <summary>From the report or the cancellation, whichever comes first: the socket
    /// leaves the epoll before anyone is told, so nothing of it is reported once it has
    /// been handed over.</summary>
    private void Finish(ulong tag, bool cancelled)
    {
        if (!_waiting.TryRemove(tag, out var waiter))
            return;
        try
        {
            _epoll.Remove(waiter.Socket.SafeHandle);
        }
        catch (Exception e) when (e is UnixException or ObjectDisposedException)
        {
            // Closed already, which took it out of the epoll.
        }
        waiter.Cancellation.Unregister();
        if (cancelled)
            waiter.Done.TrySetCanceled();
        else
            waiter.Done.TrySetResult();
    }
}
