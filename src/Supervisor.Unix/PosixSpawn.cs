using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>
/// glibc posix_spawn with chosen fds. Never a managed fork(): the runtime's threads and
/// locks do not survive one. The child starts with an empty signal mask and every
/// signal at its default disposition (glibc's reserved 32 and 33 included) — SIGPIPE too, which the .NET runtime ignores in
/// the parent and an ignored disposition would otherwise survive exec — and, when the
/// spawning thread is batch only because <see cref="BatchScheduling"/> made it so (a cgi-mode
/// app is spawned from a worker's receive thread), the default scheduling policy.
/// </summary>
public static unsafe class PosixSpawn
{
    // glibc sizes are 80 (file actions), 336 (attr) and 128 (sigset_t) bytes on 64-bit;
    // a generous fixed block keeps us independent of the exact layout.
    private const int OpaqueSize = 1024;

    /// <summary>Starts <paramref name="path"/> and returns its pid. <paramref name="mappings"/>
    /// are applied in the child so that each Source lands on its Target, whatever the
    /// numbers (sources are first moved above every fd involved, so a source equal to an
    /// earlier target is never clobbered). Fds 0–2 not mapped are inherited, except that
    /// <paramref name="stdinFromDevNull"/> opens /dev/null as fd 0; every other fd is closed,
    /// so the child has exactly the targets and 0–2, whatever its parent inherited.</summary>
    public static int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp,
        IReadOnlyList<FdMapping> mappings, bool newProcessGroup, bool stdinFromDevNull = false) =>
        Spawn(path, argv, envp.Select(System.Text.Encoding.UTF8.GetBytes).ToArray(), mappings, newProcessGroup, stdinFromDevNull);

    /// <summary>The same, with each "NAME=value" of the environment given as the exact bytes
    /// the child gets (a header's obs-text bytes are not UTF-8, and must reach the app as sent).</summary>
    public static int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<byte[]> envp,
        IReadOnlyList<FdMapping> mappings, bool newProcessGroup, bool stdinFromDevNull = false)
    {
        void* actions = NativeMemory.AllocZeroed(OpaqueSize);
        void* attr = NativeMemory.AllocZeroed(OpaqueSize);
        void* signals = NativeMemory.AllocZeroed(OpaqueSize);
        byte** nativeArgv = ToNativeArray(argv);
        byte** nativeEnvp = ToNativeArray(envp);
        try
        {
            Check("posix_spawn_file_actions_init", LibC.posix_spawn_file_actions_init(actions));
            Check("posix_spawnattr_init", LibC.posix_spawnattr_init(attr));
            try
            {
                AddFdActions(actions, mappings, stdinFromDevNull);

                short flags = LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF;
                if (BatchScheduling.MadeThisThreadBatch)
                {
                    flags |= LibC.POSIX_SPAWN_SETSCHEDULER;
                    Check("posix_spawnattr_setschedpolicy", LibC.posix_spawnattr_setschedpolicy(attr, LibC.SCHED_OTHER));
                }
                if (newProcessGroup)
                {
                    flags |= LibC.POSIX_SPAWN_SETPGROUP;
                    Check("posix_spawnattr_setpgroup", LibC.posix_spawnattr_setpgroup(attr, 0));
                }
                Check("posix_spawnattr_setflags", LibC.posix_spawnattr_setflags(attr, flags));
                LibC.sigemptyset(signals);
                Check("posix_spawnattr_setsigmask", LibC.posix_spawnattr_setsigmask(attr, signals));
                LibC.sigfillset(signals);
                AddGlibcReservedSignals(signals);
                Check("posix_spawnattr_setsigdefault", LibC.posix_spawnattr_setsigdefault(attr, signals));

                // posix_spawn returns the error (exec failures included) instead of setting errno.
                int error = LibC.posix_spawn(out int pid, path, actions, attr, nativeArgv, nativeEnvp);
                if (error != 0)
                    throw new UnixException("posix_spawn " + path, error);
                return pid;
            }
            finally
            {
                LibC.posix_spawnattr_destroy(attr);
                LibC.posix_spawn_file_actions_destroy(actions);
            }
        }
        finally
        {
            FreeNativeArray(nativeArgv, argv.Count);
            FreeNativeArray(nativeEnvp, envp.Count);
            NativeMemory.Free(signals);
            NativeMemory.Free(attr);
            NativeMemory.Free(actions);
        }
    }

    /// <summary>glibc's sigfillset leaves out the two real-time signals it reserves (32,
    /// SIGCANCEL; 33, SIGSETXID), and its posix_spawn sets every signal outside the
    /// default set to SIG_IGN in the child (sysdeps/unix/sysv/linux/spawni.c, 2.36), which
    /// exec keeps: every child started with SigIgn 0000000180000000. sigaddset refuses
    /// them too, so their bits are set by hand (signal n is bit n - 1 of the first word on
    /// 64-bit Linux); the child's own sigaction call does not refuse them, and puts them
    /// to SIG_DFL as a shell's children have them.</summary>
    private static void AddGlibcReservedSignals(void* set) => *(ulong*)set |= (1UL << 31) | (1UL << 32);

    private static void AddFdActions(void* actions, IReadOnlyList<FdMapping> mappings, bool stdinFromDevNull)
    {
        int parking = 3;
        foreach (var m in mappings)
            parking = Math.Max(parking, Math.Max(m.Source, m.Target) + 1);

        // Two steps: park every source above all numbers in play, then place it. dup2
        // leaves the new fd without FD_CLOEXEC, so the targets survive exec; the parked
        // copies are closed with every other fd that is not a target.
        for (int i = 0; i < mappings.Count; i++)
            Check("posix_spawn_file_actions_adddup2", LibC.posix_spawn_file_actions_adddup2(actions, mappings[i].Source, parking + i));
        for (int i = 0; i < mappings.Count; i++)
            Check("posix_spawn_file_actions_adddup2", LibC.posix_spawn_file_actions_adddup2(actions, parking + i, mappings[i].Target));
        CloseAllButTargets(actions, mappings);

        if (stdinFromDevNull)
            Check("posix_spawn_file_actions_addopen", LibC.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", LibC.O_RDONLY, 0));
    }

    /// <summary>Our own fds are all close-on-exec, but whatever the acceptor inherited without
    /// the flag (a shell's or a supervisor's pipe, say) would otherwise reach every worker and
    /// app: held open for their lifetimes, and a worker checks each fd number up to the
    /// highest for leaks after every connection. The parked copies, above every target, go
    /// with the rest.</summary>
    private static void CloseAllButTargets(void* actions, IReadOnlyList<FdMapping> mappings)
    {
        int highestTarget = 2;
        foreach (var m in mappings)
            highestTarget = Math.Max(highestTarget, m.Target);
        for (int fd = 3; fd < highestTarget; fd++)
        {
            // glibc ignores EBADF from a close action, so a number that is not open is fine.
            if (!mappings.Any(m => m.Target == fd))
                Check("posix_spawn_file_actions_addclose", LibC.posix_spawn_file_actions_addclose(actions, fd));
        }
        Check("posix_spawn_file_actions_addclosefrom_np", LibC.posix_spawn_file_actions_addclosefrom_np(actions, highestTarget + 1));
    }

    private static void Check(string call, int error)
    {
        if (error != 0)
            throw new UnixException(call, error);
    }

    private static byte** ToNativeArray(IReadOnlyList<string> strings)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(strings.Count + 1), (nuint)sizeof(byte*));
        for (int i = 0; i < strings.Count; i++)
            array[i] = (byte*)Marshal.StringToCoTaskMemUTF8(strings[i]);
        return array;
    }

    private static byte** ToNativeArray(IReadOnlyList<byte[]> strings)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(strings.Count + 1), (nuint)sizeof(byte*));
        for (int i = 0; i < strings.Count; i++)
        {
            byte* copy = (byte*)Marshal.AllocCoTaskMem(strings[i].Length + 1);
            strings[i].AsSpan().CopyTo(new Span<byte>(copy, strings[i].Length));
            copy[strings[i].Length] = 0;
            array[i] = copy;
        }
        return array;
    }

    private static void FreeNativeArray(byte** array, int count)
    {
        for (int i = 0; i < count; i++)
            Marshal.FreeCoTaskMem((nint)array[i]);
        NativeMemory.Free(array);
    }
}
