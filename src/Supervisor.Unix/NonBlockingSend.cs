using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>
/// One send(2) with MSG_DONTWAIT on a .NET socket's descriptor: whatever the kernel takes
/// now, never a wait and never a thread hop. For fanning one message out to many sockets,
/// where going through each socket's async machinery costs a thread-pool work item apiece.
/// </summary>
public static unsafe class NonBlockingSend
{
    /// <summary>Bytes sent (0 if the socket's buffer is full), or -1 if the peer has gone.</summary>
    public static int TrySend(Socket socket, ReadOnlySpan<byte> data)
    {
        bool added = false;
        try
        {
            // Held across the call so the descriptor cannot be closed and reused meanwhile.
            socket.SafeHandle.DangerousAddRef(ref added);
            int fd = (int)socket.SafeHandle.DangerousGetHandle();
            fixed (byte* bytes = data)
            {
                while (true)
                {
                    nint sent = LibC.send(fd, bytes, data.Length, LibC.MSG_DONTWAIT | LibC.MSG_NOSIGNAL);
                    if (sent >= 0)
                        return (int)sent;
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == LibC.EINTR)
                        continue;
                    return errno == LibC.EAGAIN ? 0 : -1;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
        finally
        {
            if (added)
                socket.SafeHandle.DangerousRelease();
        }
    }
}
