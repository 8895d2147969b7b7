using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>Shared memory between two processes, and the futex that sleeps on a word of it.</summary>
internal static unsafe partial class LibC
{
    public const uint MFD_CLOEXEC = 1;

    public const int PROT_READ = 1;
    public const int PROT_WRITE = 2;
    public const int MAP_SHARED = 1;
    public static readonly nint MAP_FAILED = -1;

    /// <summary>futex(2) operations without FUTEX_PRIVATE_FLAG: the word is in a
    /// MAP_SHARED mapping that two processes wait and wake on.</summary>
    public const int FUTEX_WAIT = 0;
    public const int FUTEX_WAKE = 1;
    public const int ETIMEDOUT = 110;

    /// <summary>glibc has no futex wrapper; the number differs between the two ABIs we build for.</summary>
    public static readonly long SYS_futex = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 98 : 202;

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long tv_sec;
        public long tv_nsec;
    }

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int memfd_create(string name, uint flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int munmap(nint addr, nuint length);

    /// <summary>syscall(2) with futex's six arguments. syscall is variadic in C; on both
    /// ABIs its integer arguments travel in the same registers as a fixed signature's.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial long syscall(long number, int* uaddr, int op, int val, TimeSpec* timeout, int* uaddr2, int val3);
}
