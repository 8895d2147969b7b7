using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>Folders and unix sockets at a path (&lt;sys/stat.h&gt;, &lt;sys/socket.h&gt;,
/// &lt;sys/un.h&gt;): called directly so a failure keeps its errno (see
/// <see cref="UnixSocketFile"/>).</summary>
internal static unsafe partial class LibC
{
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int ENAMETOOLONG = 36;
    public const int ECONNREFUSED = 111;

    public const int SO_SNDTIMEO = 21;

    public const int F_OFD_SETLK = 37;
    public const short F_WRLCK = 1;

    /// <summary>struct flock on 64-bit Linux; all zero but the type locks the whole file.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Flock
    {
        public short l_type;
        public short l_whence;
        public long l_start;
        public long l_len;
        public int l_pid;
    }

    /// <summary>struct sockaddr_un: a 2-byte family, then sun_path[108].</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrUn
    {
        public ushort sun_family;
        public fixed byte sun_path[108];
    }

    /// <summary>struct timeval on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TimeVal
    {
        public long tv_sec;
        public long tv_usec;
    }

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkdir(string pathname, uint mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int unlink(string pathname);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int fcntl_lock(int fd, int cmd, Flock* range);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int bind(int sockfd, SockAddrUn* addr, uint addrlen);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int listen(int sockfd, int backlog);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int connect(int sockfd, SockAddrUn* addr, uint addrlen);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int setsockopt(int sockfd, int level, int optname, void* optval, uint optlen);
}
