using System.Net.Sockets;

namespace Supervisor.Unix;

/// <summary>SO_PEERCRED: the kernel's word on which process, user and group is at the other
/// end of a unix socket — who is sending on the control socket.</summary>
public readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    public static PeerCredentials? Of(Socket socket) => Of((int)socket.SafeHandle.DangerousGetHandle());

    public static unsafe PeerCredentials? Of(int fd)
    {
        LibC.UCred credentials;
        uint length = (uint)sizeof(LibC.UCred);
        if (LibC.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_PEERCRED, &credentials, ref length) != 0)
            return null;
        return new PeerCredentials(credentials.pid, credentials.uid, credentials.gid);
    }
}
