using System.Net.Sockets;
using System.Text;

namespace Supervisor.Unix;

/// <summary>
/// Unix stream sockets at a path (the control socket), bound, connected and removed with
/// libc's own calls so that a failure keeps its errno. Through .NET's Socket the kernel's
/// answer is folded into a SocketError and back: ENOENT comes out as "Cannot assign
/// requested address", and ENOTDIR or EROFS as "Unknown socket error".
/// </summary>
public static unsafe class UnixSocketFile
{
    /// <summary>unix(7): sun_path is 108 bytes, and a path there ends with a NUL.</summary>
    public const int MaxPathBytes = 107;

    public static int PathBytes(string path) => Encoding.UTF8.GetByteCount(path);

    /// <summary>A listening socket bound at <paramref name="path"/> (nothing may be there).</summary>
    /// <exception cref="UnixException">socket, bind or listen failed (the call names the path).</exception>
    public static Socket Listen(string path, int backlog)
    {
        var address = Address(path);
        int fd = Open();
        try
        {
            if (LibC.bind(fd, &address, (uint)sizeof(LibC.SockAddrUn)) != 0)
                throw UnixException.FromLastError("bind " + path);
            if (LibC.listen(fd, backlog) != 0)
                throw UnixException.FromLastError("listen " + path);
        }
        catch
        {
            LibC.close(fd);
            throw;
        }
        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    /// <summary>Connected to the socket at <paramref name="path"/>. A server whose backlog is
    /// full makes connect(2) wait; SO_SNDTIMEO bounds that wait (EAGAIN after it).</summary>
    /// <exception cref="UnixException">socket or connect failed (the call names the path).</exception>
    public static Socket Connect(string path, TimeSpan timeout) =>
        new(new SafeSocketHandle(ConnectDescriptor(path, timeout), ownsHandle: true));

    /// <summary>The same, as a bare descriptor (close-on-exec), for a connection that is handed
    /// on to raw calls: disposing a Socket that had let go of its handle still ended the
    /// connection (the server read EOF at once).</summary>
    public static int ConnectDescriptor(string path, TimeSpan timeout)
    {
        var address = Address(path);
        int fd = Open();
        try
        {
            var limit = new LibC.TimeVal { tv_sec = (long)timeout.TotalSeconds, tv_usec = timeout.Milliseconds * 1000L };
            if (LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_SNDTIMEO, &limit, (uint)sizeof(LibC.TimeVal)) != 0)
                throw UnixException.FromLastError("setsockopt SO_SNDTIMEO");
            if (LibC.connect(fd, &address, (uint)sizeof(LibC.SockAddrUn)) != 0)
                throw UnixException.FromLastError("connect " + path);
        }
        catch
        {
            LibC.close(fd);
            throw;
        }
        return fd;
    }

    /// <summary>unlink(2): a socket file left behind by a server that died.</summary>
    public static void Remove(string path)
    {
        if (LibC.unlink(path) != 0)
            throw UnixException.FromLastError("unlink " + path);
    }

    private static int Open()
    {
        int fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw UnixException.FromLastError("socket AF_UNIX");
        return fd;
    }

    private static LibC.SockAddrUn Address(string path)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length > MaxPathBytes)
            throw new UnixException("sockaddr_un " + path, LibC.ENAMETOOLONG);
        var address = new LibC.SockAddrUn { sun_family = LibC.AF_UNIX };
        for (int i = 0; i < bytes.Length; i++)
            address.sun_path[i] = bytes[i];
        return address;
    }
}
