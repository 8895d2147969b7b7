using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>
/// futex(2) on a word in shared memory (<see cref="SharedPage"/>): a process sleeps while
/// the word holds a value it expects, another wakes it after changing the word. Shared,
/// not private, futexes: the two sides are different processes.
/// </summary>
public static unsafe class Futex
{
    /// <summary>Sleeps while <c>*word == expected</c>, for at most <paramref name="timeoutMs"/>;
    /// returns at once if the word already differs. A wake, a timeout, a signal and a
    /// changed word all just return: the caller looks at the word again.</summary>
    public static void Wait(ref int word, int expected, int timeoutMs)
    {
        var timeout = new LibC.TimeSpec { tv_sec = timeoutMs / 1000, tv_nsec = timeoutMs % 1000 * 1_000_000L };
        fixed (int* address = &word) // unmanaged memory: the pin is a formality
        {
            if (LibC.syscall(LibC.SYS_futex, address, LibC.FUTEX_WAIT, expected, &timeout, null, 0) >= 0)
                return;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno is not (LibC.EAGAIN or LibC.EINTR or LibC.ETIMEDOUT))
            throw new UnixException("futex wait", errno);
    }

    /// <summary>Wakes up to <paramref name="count"/> sleepers on <paramref name="word"/>.</summary>
    public static void Wake(ref int word, int count = 1)
    {
        fixed (int* address = &word)
        {
            if (LibC.syscall(LibC.SYS_futex, address, LibC.FUTEX_WAKE, count, null, null, 0) >= 0)
                return;
        }
        throw UnixException.FromLastError("futex wake");
    }
}
