namespace Supervisor.Unix;

/// <summary>Named FIFOs: mkfifo(3), and the read-write open that makes a FIFO a mailbox.</summary>
public static class Fifo
{
    public static void Create(string path, uint mode)
    {
        if (LibC.mkfifo(path, mode) != 0)
            throw UnixException.FromLastError("mkfifo " + path);
    }

    /// <summary>open(O_RDWR): a FIFO opened for reading and writing by its reader never
    /// reaches EOF when the last writer leaves, and writers never get ENXIO or block in
    /// open() while the reader runs (fifo(7) leaves O_RDWR undefined by POSIX; Linux
    /// defines it, and this server is Linux-only).</summary>
    public static FdStream OpenForReading(string path)
    {
        int fd = LibC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0)
            throw UnixException.FromLastError("open " + path);
        return new FdStream(fd);
    }

    /// <summary>An open-file-description write lock (fcntl F_OFD_SETLK) on the whole FIFO:
    /// false if another process holds it. Two readers of one FIFO would each get some of its
    /// lines. The lock is the kernel's, so it goes with the process however it ends, and the
    /// descriptor is close-on-exec, so no worker or app inherits it. Not flock(2): .NET's
    /// FileStream takes flock(LOCK_SH) on every file it opens, so a .NET writer would fail
    /// with "being used by another process"; fcntl and flock locks never meet on Linux.</summary>
    public static unsafe bool TryLockExclusive(FdStream fifo)
    {
        var whole = new LibC.Flock { l_type = LibC.F_WRLCK };
        if (LibC.fcntl_lock(fifo.Fd, LibC.F_OFD_SETLK, &whole) == 0)
            return true;
        int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        if (errno is LibC.EAGAIN or LibC.EACCES)
            return false;
        throw new UnixException("fcntl F_OFD_SETLK", errno);
    }
}
