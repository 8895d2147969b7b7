using System.Net.Sockets;

namespace Supervisor.Unix;

/// <summary>
/// Adopts a socket fd this process inherited or was sent (a worker's control channel,
/// a client connection). Checked before it is trusted: it must be an open stream socket.
/// FD_CLOEXEC is set at once so the app this process starts never inherits it.
/// </summary>
public static unsafe class InheritedSocket
{
    public static Socket Adopt(int fd) => new(new SafeSocketHandle(Check(fd), ownsHandle: true));

    /// <summary>The same checks, for a descriptor used with raw calls: returns it.</summary>
    public static int Check(int fd)
    {
        int type = 0;
        uint length = sizeof(int);
        if (LibC.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_TYPE, &type, ref length) != 0)
            throw UnixException.FromLastError($"getsockopt(fd {fd}, SO_TYPE)");
        if (type != LibC.SOCK_STREAM)
            throw new InvalidOperationException($"fd {fd} is a socket of type {type}, not a stream socket");
        SetCloseOnExec(fd);
        return fd;
    }

    public static void SetCloseOnExec(int fd)
    {
        int flags = LibC.fcntl(fd, LibC.F_GETFD, 0);
        if (flags < 0 || LibC.fcntl(fd, LibC.F_SETFD, flags | LibC.FD_CLOEXEC) < 0)
            throw UnixException.FromLastError($"fcntl(fd {fd}, F_SETFD)");
    }
}
