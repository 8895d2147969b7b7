using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>
/// An epoll instance: descriptors registered with a 64-bit tag each, and a wait that
/// returns (tag, events) pairs. For one thread that watches many descriptors and must not
/// go through .NET's socket engine, which registers every socket for writability too.
/// </summary>
public sealed unsafe class Epoll : IDisposable
{
    public const uint Readable = LibC.EPOLLIN;
    public const uint Writable = LibC.EPOLLOUT;
    public const uint PeerClosed = LibC.EPOLLRDHUP;
    public const uint Hangup = LibC.EPOLLHUP;
    public const uint Error = LibC.EPOLLERR;

    /// <summary>Reported once, then disarmed until modified or removed.</summary>
    public const uint OneShot = LibC.EPOLLONESHOT;

    // struct epoll_event is packed on x86_64 (12 bytes, data at 4) and naturally aligned
    // elsewhere (16 bytes, data at 8), so it is read and written as bytes.
    private static readonly bool Packed = RuntimeInformation.ProcessArchitecture == Architecture.X64;
    private static readonly int Stride = Packed ? 12 : 16;
    private static readonly int DataOffset = Packed ? 4 : 8;

    private readonly int _fd;
    private byte[] _ready = [];

    public Epoll()
    {
        _fd = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (_fd < 0)
            throw UnixException.FromLastError("epoll_create1");
    }

    public void Add(int fd, uint events, ulong tag) => Control(LibC.EPOLL_CTL_ADD, fd, events, tag);

    public void Modify(int fd, uint events, ulong tag) => Control(LibC.EPOLL_CTL_MOD, fd, events, tag);

    public void Remove(int fd) => Control(LibC.EPOLL_CTL_DEL, fd, 0, 0);

    // The same for a descriptor a SafeHandle owns (a .NET Socket's): the handle is
    // referenced across the call, so its number cannot be closed and reused meanwhile;
    // ObjectDisposedException if it is closed already.

    public void Add(SafeHandle descriptor, uint events, ulong tag) => Control(LibC.EPOLL_CTL_ADD, descriptor, events, tag);

    /// <summary>Epoll rechecks readiness as it modifies: arming a condition that already
    /// holds (room to write, say) is reported at once, so no wake-up is lost.</summary>
    public void Modify(SafeHandle descriptor, uint events, ulong tag) => Control(LibC.EPOLL_CTL_MOD, descriptor, events, tag);

    /// <summary>Before the descriptor is closed: the kernel drops a registration by itself
    /// only when the last descriptor of the open file goes, so one that a child or another
    /// process also holds would go on being reported.</summary>
    public void Remove(SafeHandle descriptor) => Control(LibC.EPOLL_CTL_DEL, descriptor, 0, 0);

    /// <summary>Waits up to <paramref name="timeoutMs"/> (-1: forever) and fills
    /// <paramref name="ready"/>; returns how many entries it filled (0 on timeout or EINTR).</summary>
    public int Wait(Span<(ulong Tag, uint Events)> ready, int timeoutMs)
    {
        if (_ready.Length < ready.Length * Stride)
            _ready = new byte[ready.Length * Stride];
        int count;
        fixed (byte* events = _ready)
        {
            count = LibC.epoll_wait(_fd, events, ready.Length, timeoutMs);
            for (int i = 0; i < count; i++)
            {
                byte* entry = events + i * Stride;
                ready[i] = (*(ulong*)(entry + DataOffset), *(uint*)entry);
            }
        }
        if (count < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR)
                return 0;
            throw new UnixException("epoll_wait", errno);
        }
        return count;
    }

    private void Control(int op, SafeHandle descriptor, uint events, ulong tag)
    {
        bool added = false;
        try
        {
            descriptor.DangerousAddRef(ref added);
            Control(op, (int)descriptor.DangerousGetHandle(), events, tag);
        }
        finally
        {
            if (added)
                descriptor.DangerousRelease();
        }
    }

    private void Control(int op, int fd, uint events, ulong tag)
    {
        byte* entry = stackalloc byte[16];
        new Span<byte>(entry, 16).Clear();
        *(uint*)entry = events;
        *(ulong*)(entry + DataOffset) = tag;
        if (LibC.epoll_ctl(_fd, op, fd, entry) != 0)
            throw UnixException.FromLastError("epoll_ctl");
    }

    public void Dispose() => LibC.close(_fd);
}
