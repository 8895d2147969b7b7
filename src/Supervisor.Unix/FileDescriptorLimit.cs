namespace Supervisor.Unix;

/// <summary>RLIMIT_NOFILE: every connection costs the acceptor nothing once handed over,
/// but each worker needs a handful of fds; raising the soft limit to the hard one at
/// startup is what servers do (systemd sets a low soft limit on purpose).</summary>
public static class FileDescriptorLimit
{
    /// <summary>Raises the soft limit to the hard limit; returns the limit now in force.</summary>
    public static ulong RaiseToHardLimit()
    {
        if (LibC.getrlimit(LibC.RLIMIT_NOFILE, out var limit) != 0)
            throw UnixException.FromLastError("getrlimit(RLIMIT_NOFILE)");
        if (limit.rlim_cur < limit.rlim_max)
        {
            var raised = new LibC.RLimit { rlim_cur = limit.rlim_max, rlim_max = limit.rlim_max };
            if (LibC.setrlimit(LibC.RLIMIT_NOFILE, raised) == 0)
                return raised.rlim_cur;
        }
        return limit.rlim_cur;
    }
}
