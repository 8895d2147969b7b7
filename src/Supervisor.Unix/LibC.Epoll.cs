using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>epoll(7) (&lt;sys/epoll.h&gt;, Linux numbering). struct epoll_event is not
/// declared here: its layout differs by architecture, see <see cref="Epoll"/>.</summary>
internal static unsafe partial class LibC
{
    public const int EPOLL_CLOEXEC = 0x80000;

    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CTL_MOD = 3;

    public const uint EPOLLIN = 0x001;
    public const uint EPOLLOUT = 0x004;
    public const uint EPOLLERR = 0x008;
    public const uint EPOLLHUP = 0x010;
    public const uint EPOLLRDHUP = 0x2000;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int epoll_create1(int flags);

    /// <param name="event">A struct epoll_event in this architecture's layout; null for DEL.</param>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int epoll_ctl(int epfd, int op, int fd, byte* @event);

    /// <param name="events">Room for <paramref name="maxevents"/> struct epoll_event.</param>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);
}
