using System.Text;

namespace Supervisor.Unix;

/// <summary>
/// The calling thread's name in the kernel (/proc/PID/task/TID/comm, what `top -H` and
/// `ps -L` show). The runtime here does not pass Thread.Name on, so without this every
/// thread of a worker is "ws-supervisor".
/// </summary>
public static unsafe class ThreadName
{
    /// <summary>The kernel keeps 15 bytes and a NUL.</summary>
    public const int MaxBytes = 15;

    /// <summary>True if the name took; <paramref name="name"/> is ASCII of at most
    /// <see cref="MaxBytes"/> bytes.</summary>
    public static bool SetForThisThread(string name)
    {
        if (name.Length > MaxBytes || !Ascii.IsValid(name))
            throw new ArgumentException($"a thread name is at most {MaxBytes} ASCII characters: {name}", nameof(name));
        byte* text = stackalloc byte[MaxBytes + 1];
        int length = Encoding.ASCII.GetBytes(name, new Span<byte>(text, MaxBytes));
        text[length] = 0;
        return LibC.pthread_setname_np(LibC.pthread_self(), text) == 0;
    }
}
