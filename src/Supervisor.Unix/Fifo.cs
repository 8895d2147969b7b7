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
}
