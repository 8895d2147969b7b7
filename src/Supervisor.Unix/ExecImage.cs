using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>
/// execv(3) from a running .NET process: this process becomes <c>path</c>, keeping its
/// pid, process group, fds without FD_CLOEXEC, rlimits and environment (the C
/// environ, byte for byte, not the runtime's decoded copy). Exec resets caught signals
/// to their defaults but keeps ignored ones and the signal mask, and the runtime
/// ignores SIGPIPE: so first every ignored signal goes back to SIG_DFL and the mask is
/// emptied, which is what posix_spawn's SETSIGDEF/SETSIGMASK give a directly spawned app.
/// </summary>
public static unsafe class ExecImage
{
    private const int LastSignal = 64; // SIGRTMAX on Linux

    /// <summary>Returns only by throwing <see cref="UnixException"/>.</summary>
    public static void Replace(string path, IReadOnlyList<string> argv)
    {
        ResetSignals();
        var native = (byte**)NativeMemory.AllocZeroed((nuint)(argv.Count + 1), (nuint)sizeof(byte*));
        for (int i = 0; i < argv.Count; i++)
            native[i] = (byte*)Marshal.StringToCoTaskMemUTF8(argv[i]);
        LibC.execv(path, native);
        throw UnixException.FromLastError("execv " + path);
    }

    private static void ResetSignals()
    {
        LibC.SigAction current;
        LibC.SigAction fallback = default;
        fallback.sa_handler = LibC.SIG_DFL;
        for (int signal = 1; signal <= LastSignal; signal++)
        {
            // SIGKILL, SIGSTOP and glibc's reserved real-time signals refuse: nothing to reset.
            if (LibC.sigaction(signal, null, &current) == 0 && current.sa_handler == LibC.SIG_IGN)
                LibC.sigaction(signal, &fallback, null);
        }
        void* empty = NativeMemory.AllocZeroed(1024);
        LibC.sigemptyset(empty);
        LibC.sigprocmask(LibC.SIG_SETMASK, empty, null);
        NativeMemory.Free(empty);
    }
}
