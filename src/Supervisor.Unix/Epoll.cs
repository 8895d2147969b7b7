using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>What epoll reports or is asked to watch (epoll_ctl(2)). Level-triggered: no
/// EPOLLET here, a registration reports for as long as its condition holds.</summary>
[Flags]
public enum EpollEvents : uint
{
    None = 0,
    In = LibC.EPOLLIN,
    Out = LibC.EPOLLOUT,
    Err = LibC.EPOLLERR,
    Hup = LibC.EPOLLHUP,
    /// <summary>The peer shut down its writing side (or closed).</summary>
    RdHup = LibC.EPOLLRDHUP,
}

/// <summary>One entry epoll_wait returned: what happened, and the number the descriptor was
/// registered with.</summary>
public readonly record struct EpollReady(EpollEvents Events, ulong Data);

/// <summary>
/// An epoll instance of our own, apart from the runtime's socket engine (which registers
/// every socket it touches for EPOLLIN|EPOLLOUT|EPOLLET, whether or not anyone writes).
/// Each registration carries a 64-bit number of the caller's choosing, not the fd: the
/// caller can then tell a report for a registration it has since removed from one for a
/// new registration that reuses the fd number. Add, Modify and Remove may be called from
/// any thread while another waits (the kernel rechecks readiness on Modify, so arming a
/// condition that already holds reports it at once); Dispose only once nobody waits.
/// </summary>
public sealed unsafe class Epoll : IDisposable
{
    // struct epoll_event is __attribute__((packed)) on x86_64 only: 12 bytes, the data at
    // offset 4. Elsewhere (aarch64) its 64-bit union is naturally aligned: 16 bytes, data at 8.
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = EventSize - sizeof(ulong);

    /// <summary>The most entries one <see cref="Wait"/> returns (a stack buffer's worth).</summary>
    public const int MaxReadyPerWait = 256;

    private int _fd;

    private Epoll(int fd) => _fd = fd;

    /// <summary>epoll_create1(EPOLL_CLOEXEC). Throws <see cref="UnixException"/> if it cannot.</summary>
    public static Epoll Create()
    {
        int fd = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (fd < 0)
            throw UnixException.FromLastError("epoll_create1");
        return new Epoll(fd);
    }

    public void Add(SafeHandle descriptor, EpollEvents events, ulong data) =>
        Control(LibC.EPOLL_CTL_ADD, "epoll_ctl(ADD)", descriptor, events, data);

    public void Modify(SafeHandle descriptor, EpollEvents events, ulong data) =>
        Control(LibC.EPOLL_CTL_MOD, "epoll_ctl(MOD)", descriptor, events, data);

    /// <summary>Must come before the descriptor is closed: the kernel only drops a
    /// registration by itself when the last descriptor of the open file goes, and a
    /// child holding a copy would keep it reporting.</summary>
    public void Remove(SafeHandle descriptor) =>
        Control(LibC.EPOLL_CTL_DEL, "epoll_ctl(DEL)", descriptor, EpollEvents.None, 0);

    /// <summary>Blocks until something is ready or <paramref name="timeoutMilliseconds"/>
    /// pass (-1: no limit); fills <paramref name="ready"/> and returns how many entries it
    /// filled. A signal interrupting the wait returns 0.</summary>
    public int Wait(Span<EpollReady> ready, int timeoutMilliseconds)
    {
        int room = Math.Min(ready.Length, MaxReadyPerWait);
        byte* events = stackalloc byte[MaxReadyPerWait * EventSize];
        int count = LibC.epoll_wait(_fd, events, room, timeoutMilliseconds);
        if (count < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR)
                return 0;
            throw new UnixException("epoll_wait", errno);
        }
        for (int i = 0; i < count; i++)
        {
            byte* entry = events + i * EventSize;
            ready[i] = new EpollReady((EpollEvents)(*(uint*)entry), *(ulong*)(entry + DataOffset));
        }
        return count;
    }

    private void Control(int op, string call, SafeHandle descriptor, EpollEvents events, ulong data)
    {
        byte* entry = stackalloc byte[16];
        *(uint*)entry = (uint)events;
        *(ulong*)(entry + DataOffset) = data;
        bool added = false;
        try
        {
            // Held across the call so the number cannot be closed and reused meanwhile.
            descriptor.DangerousAddRef(ref added);
            if (LibC.epoll_ctl(_fd, op, (int)descriptor.DangerousGetHandle(), op == LibC.EPOLL_CTL_DEL ? null : entry) != 0)
                throw UnixException.FromLastError(call);
        }
        finally
        {
            if (added)
                descriptor.DangerousRelease();
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
            LibC.close(_fd);
        _fd = -1;
    }
}
