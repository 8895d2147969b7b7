namespace Supervisor.Unix;

/// <summary>
/// A descriptor for one child process (pidfd_open(2), Linux 5.3+) that poll(2) reports
/// readable once the child has exited: its exit can be waited for together with other
/// descriptors, instead of by a thread blocked in waitpid. Reaping stays waitpid's job.
/// </summary>
public sealed class PidFd : IDisposable
{
    private int _fd;

    private PidFd(int fd) => _fd = fd;

    public int Fd => _fd;

    /// <summary>The pidfd of <paramref name="pid"/>, which must be our unreaped child; null
    /// where the kernel gives none (ENOSYS before Linux 5.3, EMFILE, ...), with
    /// <paramref name="failure"/> saying why, so the caller falls back to a blocking waitpid
    /// rather than lose track of a child already running.</summary>
    public static PidFd? TryOpen(int pid, out UnixException? failure)
    {
        int fd = LibC.pidfd_open(pid, 0);
        failure = fd >= 0 ? null : UnixException.FromLastError("pidfd_open");
        return fd >= 0 ? new PidFd(fd) : null;
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
            LibC.close(fd);
    }
}
