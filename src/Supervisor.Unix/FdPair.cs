namespace Supervisor.Unix;

/// <summary>Creates the two kinds of fd pairs the project hands to children. Both ends
/// are close-on-exec: only the posix_spawn file actions decide what a child gets.</summary>
public static unsafe class FdPair
{
    /// <summary>pipe2(O_CLOEXEC): (read end, write end).</summary>
    public static (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (LibC.pipe2(fds, LibC.O_CLOEXEC) != 0)
            throw UnixException.FromLastError("pipe2");
        return (fds[0], fds[1]);
    }

    /// <summary>socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC).</summary>
    public static (int First, int Second) StreamSocketPair()
    {
        int* fds = stackalloc int[2];
        if (LibC.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, fds) != 0)
            throw UnixException.FromLastError("socketpair");
        return (fds[0], fds[1]);
    }

    public static void Close(int fd) => LibC.close(fd);
}
