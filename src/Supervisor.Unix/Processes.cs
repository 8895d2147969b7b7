namespace Supervisor.Unix;

/// <summary>waitpid and kill for pids we started ourselves. Never waitpid(-1): other
/// code in the process (the runtime's Process class, for one) may own other children.</summary>
public static class Processes
{
    public const int SIGINT = LibC.SIGINT;
    public const int SIGTERM = LibC.SIGTERM;
    public const int SIGKILL = LibC.SIGKILL;

    /// <summary>waitpid(pid, WNOHANG): the exit if the child has ended (and is now reaped),
    /// null while it runs.</summary>
    public static ChildExit? TryReap(int pid)
    {
        while (true)
        {
            int result = LibC.waitpid(pid, out int status, LibC.WNOHANG);
            if (result == pid)
                return ChildExit.FromStatus(status);
            if (result == 0)
                return null;
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR)
                continue;
            // ECHILD: already reaped elsewhere; report it as gone with no status.
            if (errno == LibC.ECHILD)
                return new ChildExit(-1, 0);
            throw new UnixException("waitpid", errno);
        }
    }

    /// <summary>Blocking waitpid(pid, 0): for a thread whose only job is to wait.</summary>
    public static ChildExit Wait(int pid)
    {
        while (true)
        {
            int result = LibC.waitpid(pid, out int status, 0);
            if (result == pid)
                return ChildExit.FromStatus(status);
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR)
                continue;
            if (errno == LibC.ECHILD)
                return new ChildExit(-1, 0);
            throw new UnixException("waitpid", errno);
        }
    }

    /// <summary>kill(2); false if the target is already gone (ESRCH).</summary>
    public static bool Signal(int pid, int signal) => LibC.kill(pid, signal) == 0;
}
