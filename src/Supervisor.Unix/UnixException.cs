using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>A failed libc call: the call's name, errno and strerror text in one type.</summary>
public sealed class UnixException : Exception
{
    public UnixException(string call, int errno)
        : base($"{call}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Call = call;
        Errno = errno;
    }

    public string Call { get; }

    public int Errno { get; }

    /// <summary>strerror's text alone ("No such file or directory"), for a message that
    /// names the path and the flag itself.</summary>
    public string Description => Marshal.GetPInvokeErrorMessage(Errno);

    /// <summary>Throws for the errno the last P/Invoke left behind.</summary>
    public static UnixException FromLastError(string call) => new(call, Marshal.GetLastPInvokeError());

    public bool IsOutOfDescriptors => Errno is 23 /* ENFILE */ or 24 /* EMFILE */;
}
