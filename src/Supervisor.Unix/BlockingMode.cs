using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>O_NONBLOCK, which belongs to an open file description: every process holding
/// a copy of the descriptor sees the change.</summary>
public static class BlockingMode
{
    /// <summary>Clears O_NONBLOCK. Throws <see cref="UnixException"/> if the descriptor is
    /// not valid.</summary>
    public static void Set(int fd)
    {
        int flags = LibC.fcntl(fd, LibC.F_GETFL, 0);
        if (flags < 0 || ((flags & LibC.O_NONBLOCK) != 0 && LibC.fcntl(fd, LibC.F_SETFL, flags & ~LibC.O_NONBLOCK) < 0))
            throw new UnixException("fcntl(O_NONBLOCK)", Marshal.GetLastPInvokeError());
    }
}
