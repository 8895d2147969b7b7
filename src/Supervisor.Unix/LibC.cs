using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>
/// Every libc entry point the project calls, named as in C. Nothing outside this
/// library declares a P/Invoke but zlib's, which touches only bytes
/// (Supervisor.Protocol/Compression/CompressionNative.cs). Constants are the Linux
/// x86_64/aarch64 values.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int EINTR = 4;
    public const int ECHILD = 10;
    public const int EAGAIN = 11;

    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    public const int WNOHANG = 1;

    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int O_CLOEXEC = 0x80000;
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_NONBLOCK = 0x800;

    public const int F_GETFD = 1;
    public const int F_SETFD = 2;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int FD_CLOEXEC = 1;

    /// <summary>send(2): EPIPE instead of SIGPIPE when the peer has gone.</summary>
    public const int MSG_NOSIGNAL = 0x4000;

    public const int SOL_SOCKET = 1;
    public const int SO_TYPE = 3;

    public const int RLIMIT_NOFILE = 7;

    // <spawn.h> flags (glibc values).
    public const short POSIX_SPAWN_SETPGROUP = 0x02;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSCHEDULER = 0x20;

    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong rlim_cur;
        public ulong rlim_max;
    }

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawn(out int pid, string path, void* file_actions, void* attrp, byte** argv, byte** envp);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_init(void* file_actions);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_destroy(void* file_actions);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_adddup2(void* file_actions, int fd, int newfd);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_addclose(void* file_actions, int fd);

    /// <summary>glibc 2.34+: closes every fd from <paramref name="from"/> up in the child.</summary>
    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_addclosefrom_np(void* file_actions, int from);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawn_file_actions_addopen(void* file_actions, int fd, string path, int oflag, int mode);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setsigmask(void* attr, void* sigmask);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigdefault);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setpgroup(void* attr, int pgroup);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setschedpolicy(void* attr, int policy);

    [LibraryImport(Lib)]
    public static partial int sigemptyset(void* set);

    [LibraryImport(Lib)]
    public static partial int sigfillset(void* set);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int waitpid(int pid, out int status, int options);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int socketpair(int domain, int type, int protocol, int* sv);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int pipe2(int* pipefd, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close(int fd);

    public const int SCHED_OTHER = 0;
    public const int SCHED_BATCH = 3;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sched_setscheduler(int pid, int policy, int* param);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sched_getscheduler(int pid);

    [LibraryImport(Lib)]
    public static partial nuint pthread_self();

    /// <summary>Returns an error number rather than setting errno.</summary>
    [LibraryImport(Lib)]
    public static partial int pthread_setname_np(nuint thread, byte* name);

    public const int EFD_CLOEXEC = 0x80000;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int eventfd(uint initval, int flags);

    public const short POLLIN = 0x1;
    public const short POLLNVAL = 0x20;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int pidfd_open(int pid, uint flags);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int fd;
        public short events;
        public short revents;
    }

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getsockopt(int sockfd, int level, int optname, void* optval, ref uint optlen);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getrlimit(int resource, out RLimit rlim);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int setrlimit(int resource, in RLimit rlim);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint read(int fd, byte* buf, nint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint write(int fd, byte* buf, nint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint recv(int sockfd, byte* buf, nint len, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint send(int sockfd, byte* buf, nint len, int flags);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial byte* realpath(string path, byte* resolved);

    [LibraryImport(Lib)]
    public static partial void free(void* ptr);

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_BASIC_STATS = 0x7ff;
    public const int SO_PEERCRED = 17;
    public const int ENOENT = 2;

    /// <summary>struct statx is the same on every architecture, unlike struct stat.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(20)] public uint stx_uid;
        [FieldOffset(24)] public uint stx_gid;
        [FieldOffset(28)] public ushort stx_mode;
        [FieldOffset(32)] public ulong stx_ino;
        [FieldOffset(136)] public uint stx_dev_major;
        [FieldOffset(140)] public uint stx_dev_minor;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct UCred
    {
        public int pid;
        public uint uid;
        public uint gid;
    }

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(int dirfd, string pathname, int flags, uint mask, out Statx statxbuf);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkfifo(string pathname, uint mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chmod(string pathname, uint mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int lchown(string pathname, uint owner, uint group);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string pathname, int flags);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint getgrnam(string name);

    [LibraryImport(Lib)]
    public static partial uint geteuid();

    [LibraryImport(Lib)]
    public static partial uint getegid();

    // Users, groups and privilege drop (<pwd.h>, <grp.h>, <unistd.h>).

    /// <summary>struct passwd, the same on x86_64 and aarch64.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Passwd
    {
        public byte* pw_name;
        public byte* pw_passwd;
        public uint pw_uid;
        public uint pw_gid;
        public byte* pw_gecos;
        public byte* pw_dir;
        public byte* pw_shell;
    }

    public const int ERANGE = 34;

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int getpwnam_r(string name, out Passwd pwd, byte* buf, nint buflen, out Passwd* result);

    [LibraryImport(Lib)]
    public static partial int getpwuid_r(uint uid, out Passwd pwd, byte* buf, nint buflen, out Passwd* result);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int initgroups(string user, uint group);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int setgid(uint gid);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int setuid(uint uid);

    public const int PR_SET_DUMPABLE = 4;

    /// <summary>Variadic in C; every option used here takes unsigned longs, which x86_64
    /// and aarch64 Linux pass as fixed arguments.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getresuid(out uint ruid, out uint euid, out uint suid);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getresgid(out uint rgid, out uint egid, out uint sgid);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getgroups(int size, uint* list);

    public const int X_OK = 1;

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int access(string pathname, int mode);

    // Resource limits (<sys/resource.h>, Linux numbering).
    public const int RLIMIT_CPU = 0;
    public const int RLIMIT_NPROC = 6;
    public const int RLIMIT_AS = 9;
    public const ulong RLIM_INFINITY = ulong.MaxValue;

    // exec and the signal state it keeps (<unistd.h>, <signal.h>).
    public const int SIG_SETMASK = 2;
    public const nint SIG_DFL = 0;
    public const nint SIG_IGN = 1;

    /// <summary>glibc's struct sigaction is 152 bytes on x86_64 and aarch64, sa_handler first;
    /// a larger zeroed block keeps us clear of the exact layout.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct SigAction
    {
        [FieldOffset(0)] public nint sa_handler;
    }

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sigaction(int signum, SigAction* act, SigAction* oldact);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sigprocmask(int how, void* set, void* oldset);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int execv(string path, byte** argv);
}
