using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>
/// One recv(2) with MSG_DONTWAIT on a .NET socket's descriptor: what is there now, never a
/// wait, and the descriptor itself stays in blocking mode. For reading sockets that a
/// poller of our own watches, outside the runtime's socket engine.
/// </summary>
public static unsafe class NonBlockingReceive
{
    /// <summary>Means nothing was there to read.</summary>
    public const int WouldBlock = -1;

    /// <summary>Bytes read, 0 at end of stream, or <see cref="WouldBlock"/>. Throws
    /// <see cref="UnixException"/> for any other failure (ECONNRESET) and
    /// <see cref="ObjectDisposedException"/> if the socket has been closed.</summary>
    public static int TryReceive(Socket socket, Span<byte> buffer)
    {
        bool added = false;
        try
        {
            // Held across the call so the descriptor cannot be closed and reused meanwhile.
            socket.SafeHandle.DangerousAddRef(ref added);
            int fd = (int)socket.SafeHandle.DangerousGetHandle();
            fixed (byte* bytes = buffer)
            {
                while (true)
                {
                    nint n = LibC.recv(fd, bytes, buffer.Length, LibC.MSG_DONTWAIT);
                    if (n >= 0)
                        return (int)n;
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == LibC.EINTR)
                        continue;
                    if (errno == LibC.EAGAIN)
                        return WouldBlock;
                    throw new UnixException("recv", errno);
                }
            }
        }
        finally
        {
            if (added)
                socket.SafeHandle.DangerousRelease();
        }
    }
}
