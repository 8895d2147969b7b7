using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>A blocking poll(2) for a thread that watches two descriptors at once.</summary>
public static unsafe class ReadinessPoll
{
    /// <summary>Sleeps until <paramref name="first"/> or <paramref name="second"/> is
    /// readable, at end of file, failed or closed, and says which; a negative descriptor
    /// is not watched (poll(2) skips it).</summary>
    public static (bool First, bool Second) Wait(int first, int second)
    {
        var fds = stackalloc LibC.PollFd[2];
        fds[0] = new LibC.PollFd { fd = first, events = LibC.POLLIN };
        fds[1] = new LibC.PollFd { fd = second, events = LibC.POLLIN };
        while (LibC.poll(fds, 2, -1) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
                throw new UnixException("poll", errno);
        }
        // POLLHUP, POLLERR and POLLNVAL come whether asked for or not, and each means the
        // next read answers at once.
        return (fds[0].revents != 0, fds[1].revents != 0);
    }

    /// <summary>Sleeps until <paramref name="fd"/> is readable (or at end of file, failed,
    /// closed) or <paramref name="timeout"/> has passed; false on the timeout.</summary>
    public static bool WaitReadable(int fd, TimeSpan timeout)
    {
        var poll = new LibC.PollFd { fd = fd, events = LibC.POLLIN };
        int ready;
        while ((ready = LibC.poll(&poll, 1, (int)timeout.TotalMilliseconds)) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
                throw new UnixException("poll", errno);
        }
        return ready > 0;
    }
}
