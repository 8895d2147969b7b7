using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>
/// An eventfd(2) as a doorbell between threads: a blocking read to sleep until rung, a
/// write to ring. One syscall on each side and one wake-up; the runtime's own waits
/// (Monitor, ManualResetEventSlim, the thread pool's semaphore) go through a mutex and a
/// condition variable, and the woken thread typically blocks at once on the mutex its
/// waker still holds, then spins: five syscalls and three switches per hand-off in strace.
/// </summary>
public sealed unsafe class EventFd : IDisposable
{
    private readonly int _fd;

    public EventFd()
    {
        _fd = LibC.eventfd(0, LibC.EFD_CLOEXEC);
        if (_fd < 0)
            throw UnixException.FromLastError("eventfd");
    }

    /// <summary>Sleeps until <see cref="Ring"/> has been called (at once if it already
    /// has since the last wait), or <paramref name="timeoutMs"/> has passed (-1: no limit);
    /// any number of rings meanwhile count as one. False if it timed out.</summary>
    public bool Wait(int timeoutMs = -1)
    {
        if (timeoutMs >= 0 && !Readable(timeoutMs))
            return false;
        ulong count;
        while (LibC.read(_fd, (byte*)&count, sizeof(ulong)) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
                throw new UnixException("read eventfd", errno);
        }
        return true;
    }

    private bool Readable(int timeoutMs) => ReadinessPoll.WaitReadable(_fd, TimeSpan.FromMilliseconds(timeoutMs));

    public void Ring()
    {
        ulong one = 1;
        while (LibC.write(_fd, (byte*)&one, sizeof(ulong)) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
                throw new UnixException("write eventfd", errno);
        }
    }

    public void Dispose() => LibC.close(_fd);
}
