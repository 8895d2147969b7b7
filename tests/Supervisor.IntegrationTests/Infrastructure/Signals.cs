using System.Runtime.InteropServices;

namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>kill(2), for the signals <see cref="System.Diagnostics.Process"/> cannot send.</summary>
public static partial class Signals
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    /// <summary>True if the signal was delivered; false if the process is gone (ESRCH).</summary>
    public static bool Send(int pid, int signal)
    {
        if (pid <= 0)
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "refusing to signal a group or every process");
        return kill(pid, signal) == 0;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
