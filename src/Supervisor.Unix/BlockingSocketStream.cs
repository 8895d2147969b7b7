using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>
/// The worker's client connection as a <see cref="Stream"/> whose every call is a blocking
/// recv(2) or send(2) on the calling thread. Its ReadAsync and WriteAsync have finished
/// before they return, so the BCL WebSocket engine over it completes synchronously on
/// whichever thread calls it (the receive thread, the stdout pump): no epoll thread
/// wakes, no thread-pool worker runs a continuation, and an echo costs two threads and
/// four syscalls instead of four threads and a spinning pool.
/// </summary>
/// <remarks>
/// Nothing cancels a blocking call but <see cref="Shutdown"/>: shutdown(SHUT_RDWR) makes a
/// recv blocked on the socket return 0 and a send blocked on a full buffer fail with
/// EPIPE, whereas close(2) would leave them blocked (and free the fd number for reuse
/// under them). So <see cref="Dispose(bool)"/> shuts down first, and every call holds a
/// reference on the handle, which defers the close until the last call in flight has
/// returned.
/// </remarks>
public sealed unsafe class BlockingSocketStream : Stream
{
    private readonly Socket _socket;
    private readonly SafeSocketHandle _handle;
    private int _disposed;

    /// <summary>Takes ownership of <paramref name="socket"/> and makes it blocking.</summary>
    /// <remarks>
    /// O_NONBLOCK belongs to the open file description, which an inherited fd shares with
    /// every copy of it, so clearing it here clears it for the acceptor's copy too. That is
    /// safe: the acceptor's reads of the request head are done before it sent the start
    /// frame this worker has read, and what it writes later (pushed messages, see
    /// <see cref="Turns"/>) it writes with MSG_DONTWAIT, which does not look at the flag;
    /// nor does close(2) (no SO_LINGER is set). The app never holds a copy (FD_CLOEXEC,
    /// set on adoption). Throws IOException if the flag cannot be changed (the fd is no
    /// longer valid).
    /// </remarks>
    public BlockingSocketStream(Socket socket)
    {
        _socket = socket;
        _handle = socket.SafeHandle;
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            BlockingMode.Set(Fd);
        }
        catch (UnixException e)
        {
            throw new IOException(e.Message, e);
        }
        finally
        {
            if (added)
                _handle.DangerousRelease();
        }
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    /// <summary>Bytes received, 0 once the peer has closed its side (or after <see cref="Shutdown"/>).</summary>
    public override int Read(Span<byte> buffer)
    {
        bool added = false;
        try
        {
            // Held for the whole call, so a concurrent Dispose cannot close the fd (and let
            // its number be reused) under it.
            _handle.DangerousAddRef(ref added);
            fixed (byte* p = buffer)
            {
                while (true)
                {
                    nint n = LibC.recv(Fd, p, buffer.Length, 0);
                    if (n >= 0)
                        return (int)n;
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno != LibC.EINTR)
                        throw Failure("recv", errno);
                }
            }
        }
        finally
        {
            if (added)
                _handle.DangerousRelease();
        }
    }

    /// <summary>Set when another process writes to this socket too: each
    /// <see cref="Write(ReadOnlySpan{byte})"/> then waits for its turn first.</summary>
    public IWriteTurns? Turns { get; set; }

    /// <summary>Sends everything; IOException (EPIPE, ECONNRESET) once the connection is gone.</summary>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var turns = Turns;
        if (turns is not null && !turns.Take())
            throw new IOException("the connection is closing; nothing more is sent");
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added); // as in Read
            fixed (byte* p = buffer)
            {
                int done = 0;
                while (done < buffer.Length)
                {
                    nint n = LibC.send(Fd, p + done, buffer.Length - done, LibC.MSG_NOSIGNAL);
                    if (n >= 0)
                    {
                        done += (int)n;
                        continue;
                    }
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno != LibC.EINTR)
                        throw Failure("send", errno);
                }
            }
        }
        finally
        {
            if (added)
                _handle.DangerousRelease();
            turns?.Give(buffer);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    // The async forms run the blocking call inline: that is the point of this stream. The
    // token is only looked at before the call; Shutdown is what interrupts one in flight.

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
            return ValueTask.FromCanceled<int>(cancellationToken);
        try
        {
            return ValueTask.FromResult(Read(buffer.Span));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<int>(e);
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
            return ValueTask.FromCanceled(cancellationToken);
        try
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    // Stream's own versions of these two would queue the call to the thread pool.
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Nothing is buffered here: each Write has reached the kernel when it returns.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>shutdown(SHUT_RDWR): wakes every thread blocked in <see cref="Read(Span{byte})"/>
    /// or <see cref="Write(ReadOnlySpan{byte})"/> and fails every later call; the peer gets a FIN.</summary>
    /// <remarks>Through <see cref="Socket.Shutdown"/> rather than a P/Invoke of our own: the
    /// socket's handle records it, and its close then stays graceful even if a call is still
    /// unwinding (otherwise .NET unblocks such a call by disconnecting, which sends an RST).</remarks>
    public void Shutdown()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset by the peer or already closed: nothing is left to wake.
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Shutdown();
            _socket.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>True once disposed (by the session, or by the engine's abort).</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>The raw fd; only while a reference on the handle is held.</summary>
    private int Fd => (int)_handle.DangerousGetHandle();

    private static IOException Failure(string call, int errno)
    {
        var error = new UnixException(call, errno);
        return new IOException(error.Message, error);
    }
}
