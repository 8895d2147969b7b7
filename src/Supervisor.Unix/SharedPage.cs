using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>
/// One page of memory two processes map at once: created here as a memfd (memfd_create,
/// ftruncate, mmap MAP_SHARED), handed to a child as an inherited descriptor, and mapped
/// there with <see cref="Map"/>. Neither side needs the descriptor once mapped; the page
/// lives until the last mapping goes.
/// </summary>
/// <remarks>A SafeHandle, so that a thread still using the page (between
/// <see cref="SafeHandle.DangerousAddRef"/> and <see cref="SafeHandle.DangerousRelease"/>)
/// defers the munmap of a concurrent <see cref="SafeHandle.Dispose()"/> until it is done,
/// instead of touching memory that is gone.</remarks>
public sealed unsafe class SharedPage : SafeHandle
{
    public const int Size = 4096;

    private SharedPage(nint address) : base(invalidHandleValue: 0, ownsHandle: true) => SetHandle(address);

    public override bool IsInvalid => handle == 0;

    /// <summary>The aligned 32-bit word at <paramref name="offset"/>, for Interlocked and
    /// <see cref="Futex"/>. Only while the page is mapped (see the remarks).</summary>
    public ref int Int32At(int offset) => ref Unsafe.AsRef<int>((byte*)handle + Checked(offset, sizeof(int)));

    /// <summary>The aligned 64-bit word at <paramref name="offset"/>.</summary>
    public ref long Int64At(int offset) => ref Unsafe.AsRef<long>((byte*)handle + Checked(offset, sizeof(long)));

    private static int Checked(int offset, int size) =>
        offset >= 0 && offset <= Size - size && offset % size == 0
            ? offset
            : throw new ArgumentOutOfRangeException(nameof(offset), offset, $"not an aligned {size}-byte word of the page");

    /// <summary>A new zeroed page, mapped here, and its memfd (close-on-exec) for a child to
    /// inherit; the caller closes the descriptor. Throws <see cref="UnixException"/>.</summary>
    public static (SharedPage Page, int Fd) Create(string name)
    {
        int fd = LibC.memfd_create(name, LibC.MFD_CLOEXEC);
        if (fd < 0)
            throw UnixException.FromLastError("memfd_create");
        try
        {
            if (LibC.ftruncate(fd, Size) < 0)
                throw UnixException.FromLastError("ftruncate memfd");
            return (Map(fd), fd);
        }
        catch
        {
            LibC.close(fd);
            throw;
        }
    }

    /// <summary>Maps the page behind <paramref name="fd"/> (a memfd of at least
    /// <see cref="Size"/> bytes); the descriptor may be closed afterwards.</summary>
    public static SharedPage Map(int fd)
    {
        nint address = LibC.mmap(0, Size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        if (address == LibC.MAP_FAILED)
            throw UnixException.FromLastError("mmap");
        return new SharedPage(address);
    }

    protected override bool ReleaseHandle() => LibC.munmap(handle, Size) == 0;
}
