using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>
/// One recv(2) with MSG_DONTWAIT: what the kernel holds now, never a wait. The reading
/// half of <see cref="NonBlockingSend"/>, for a thread that polls many descriptors itself.
/// </summary>
public static unsafe class NonBlockingReceive
{
    /// <summary>What <see cref="TryReceive"/> returns when nothing is there yet.</summary>
    public const int NothingYet = -1;

    /// <summary>The same on a .NET socket's descriptor, referenced across the call so it
    /// cannot be closed and reused meanwhile; <see cref="ObjectDisposedException"/> if it is
    /// closed already. The descriptor's own mode is left alone (blocking stays blocking).
    /// With <paramref name="peek"/> the bytes are left where they are (MSG_PEEK).</summary>
    public static int TryReceive(Socket socket, Span<byte> buffer, bool peek = false)
    {
        bool added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            return TryReceive((int)socket.SafeHandle.DangerousGetHandle(), buffer, peek);
        }
        finally
        {
            if (added)
                socket.SafeHandle.DangerousRelease();
        }
    }

    /// <summary>Bytes read, 0 at end of stream, <see cref="NothingYet"/> if there is nothing
    /// to read now. Any other failure (a reset, say) throws.</summary>
    public static int TryReceive(int fd, Span<byte> buffer, bool peek = false)
    {
        int flags = LibC.MSG_DONTWAIT | (peek ? LibC.MSG_PEEK : 0);
        fixed (byte* bytes = buffer)
        {
            while (true)
            {
                nint received = LibC.recv(fd, bytes, buffer.Length, flags);
                if (received >= 0)
                    return (int)received;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR)
                    continue;
                if (errno == LibC.EAGAIN)
                    return NothingYet;
                throw new UnixException("recv", errno);
            }
        }
    }
}
