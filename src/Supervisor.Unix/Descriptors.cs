using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>Which descriptors this process has open, without listing /proc/self/fd (which
/// costs a stat per entry: 2 % of a worker's CPU per connection when done that way) or
/// asking fcntl number by number (one syscall each: 6 % when a pipe inherited at fd 251
/// made it 250 calls).</summary>
public static class Descriptors
{
    /// <summary>Which of 0 … <paramref name="highest"/> are open, in one poll(2) with no
    /// timeout: it answers POLLNVAL for a number that is not open, and costs one syscall
    /// where asking fcntl costs one per number.</summary>
    public static unsafe bool[] OpenUpTo(int highest)
    {
        // poll refuses (EINVAL) more entries than RLIMIT_NOFILE, and no number at or past
        // the limit can have been opened under it.
        ulong limit = ResourceLimit.Get(Resource.OpenFiles).Soft;
        if (limit <= (ulong)highest)
            highest = (int)limit - 1;
        var fds = new LibC.PollFd[highest + 1];
        for (int fd = 0; fd <= highest; fd++)
            fds[fd].fd = fd;
        fixed (LibC.PollFd* first = fds)
        {
            while (LibC.poll(first, (nuint)fds.Length, 0) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                    throw new UnixException("poll", errno);
            }
        }
        return fds.Select(p => (p.revents & LibC.POLLNVAL) == 0).ToArray();
    }

    /// <summary>The highest open descriptor, from /proc/self/fd (once, to set a baseline).</summary>
    public static int Highest() =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Select(Path.GetFileName)
            .Select(name => int.TryParse(name, out int fd) ? fd : -1)
            .Max();
}
