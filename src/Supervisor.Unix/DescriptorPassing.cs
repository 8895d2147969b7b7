using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>
/// Moves an open descriptor to another process over a unix stream socket (SCM_RIGHTS,
/// unix(7)): how the acceptor gives a client socket to a worker that is already running.
/// The descriptor travels with the first byte of the data it is sent with, so the
/// receiver gets it on the read that returns that byte.
/// </summary>
public static unsafe class DescriptorPassing
{
    // CMSG_SPACE(sizeof(int)) on 64-bit Linux: a 16-byte header, the int, padding to 8.
    private const int OneFdControlSpace = 24;

    // Room for a few descriptors on one read: more than one is a broken peer, and what
    // arrives is closed rather than leaked.
    private const int ReceiveControlSpace = 64;

    /// <summary>Sends at least the first byte of <paramref name="data"/> with
    /// <paramref name="descriptor"/> attached; returns how many bytes went (the caller
    /// sends the rest as plain data). Our copy of the descriptor stays open.</summary>
    public static int SendWith(int socket, ReadOnlySpan<byte> data, int descriptor)
    {
        if (data.IsEmpty)
            throw new ArgumentException("a descriptor must travel with at least one byte", nameof(data));
        byte* control = stackalloc byte[OneFdControlSpace];
        new Span<byte>(control, OneFdControlSpace).Clear();
        var header = (LibC.CMsgHdr*)control;
        header->cmsg_len = (nuint)(sizeof(LibC.CMsgHdr) + sizeof(int));
        header->cmsg_level = LibC.SOL_SOCKET;
        header->cmsg_type = LibC.SCM_RIGHTS;
        *(int*)(control + sizeof(LibC.CMsgHdr)) = descriptor;

        fixed (byte* bytes = data)
        {
            var vector = new LibC.IoVec { iov_base = bytes, iov_len = (nuint)data.Length };
            var message = new LibC.MsgHdr { msg_iov = &vector, msg_iovlen = 1, msg_control = control, msg_controllen = OneFdControlSpace };
            while (true)
            {
                nint sent = LibC.sendmsg(socket, &message, LibC.MSG_NOSIGNAL);
                if (sent > 0)
                    return (int)sent;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR)
                    continue;
                if (errno == LibC.EAGAIN)
                {
                    // Only on a socket in non-blocking mode (the acceptor's channels are
                    // blocking: sendmsg waits in the kernel). A worker's channel is empty when
                    // it is handed a connection, so this is a brief wait at most.
                    Thread.Sleep(1);
                    continue;
                }
                throw new UnixException("sendmsg", errno);
            }
        }
    }

    /// <summary>Blocking read into <paramref name="buffer"/>; descriptors that came with
    /// these bytes are added to <paramref name="received"/> (close-on-exec already set).
    /// Returns 0 at end of stream.</summary>
    public static int Receive(int socket, Span<byte> buffer, List<int> received)
    {
        byte* control = stackalloc byte[ReceiveControlSpace];
        fixed (byte* bytes = buffer)
        {
            var vector = new LibC.IoVec { iov_base = bytes, iov_len = (nuint)buffer.Length };
            var message = new LibC.MsgHdr { msg_iov = &vector, msg_iovlen = 1, msg_control = control, msg_controllen = ReceiveControlSpace };
            nint n;
            while ((n = LibC.recvmsg(socket, &message, LibC.MSG_CMSG_CLOEXEC)) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                    throw new UnixException("recvmsg", errno);
                message.msg_controllen = ReceiveControlSpace;
            }
            CollectDescriptors(control, (int)message.msg_controllen, received);
            return (int)n;
        }
    }

    private static void CollectDescriptors(byte* control, int length, List<int> received)
    {
        int offset = 0;
        while (offset + sizeof(LibC.CMsgHdr) <= length)
        {
            var header = (LibC.CMsgHdr*)(control + offset);
            int total = (int)header->cmsg_len;
            if (total < sizeof(LibC.CMsgHdr) || offset + total > length)
                break;
            if (header->cmsg_level == LibC.SOL_SOCKET && header->cmsg_type == LibC.SCM_RIGHTS)
            {
                int count = (total - sizeof(LibC.CMsgHdr)) / sizeof(int);
                for (int i = 0; i < count; i++)
                    received.Add(((int*)(control + offset + sizeof(LibC.CMsgHdr)))[i]);
            }
            offset += (total + 7) & ~7;
        }
    }
}
