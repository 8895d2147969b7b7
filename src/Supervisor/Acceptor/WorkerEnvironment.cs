namespace Supervisor.Acceptor;

/// <summary>
/// What of the acceptor's environment a worker gets: only what its runtime and libc read.
/// Workers run as the server's user (--user), as do the apps they start, and an app can
/// read its worker's /proc/PID/environ: the operator's whole environment (a SECRET_TOKEN
/// exported in the unit's shell) would reach every app. The worker's own code reads no
/// variable (its settings come in the start frame); the app's environment is built apart,
/// from the request and --passenv.
/// </summary>
public static class WorkerEnvironment
{
    /// <summary>Read by the .NET runtime (GC and other knobs; COMPlus_ is the old spelling)
    /// and by glibc's malloc (MALLOC_ARENA_MAX and the other aliases of its tunables).</summary>
    private static readonly string[] Prefixes = ["DOTNET_", "COMPlus_", "MALLOC_", "LC_"];

    /// <summary>glibc's tunables and dynamic loader; the locale and time zone, so a worker's
    /// log lines are encoded and stamped as the acceptor's are; the terminal type and
    /// NO_COLOR, which decide how the log is coloured on a terminal both write to.</summary>
    private static readonly HashSet<string> Names =
        ["GLIBC_TUNABLES", "LD_LIBRARY_PATH", "LANG", "LANGUAGE", "TZ", "TZDIR", "TERM", "NO_COLOR"];

    /// <summary>The worker's "NAME=value" list from the acceptor's variables, with the
    /// tuning a worker needs added (an operator's own setting of it wins).</summary>
    public static string[] From(IReadOnlyDictionary<string, string> acceptor)
    {
        var variables = acceptor.Where(v => Passes(v.Key)).ToDictionary(v => v.Key, v => v.Value);
        // The GC's default region range is sized from physical memory, and the bookkeeping
        // it commits up front for that range cost ~260 kB of every worker's ~1.3 MB PSS
        // (measured: 1248 → 987 kB for an idle NativeAOT process). 4 GiB (hex) is still
        // far more heap than one connection can use. The knob is env-only (no runtimeconfig
        // name), and an operator's own setting wins.
        variables.TryAdd("DOTNET_GCRegionRange", "100000000");
        // Every compressed message (RFC 7692 without context takeover) allocates and frees
        // zlib-ng's deflate state, ~250 kB aligned to 64 bytes. glibc's memalign leaves a
        // small remainder behind each such block, and while its per-thread cache (tcache,
        // 7 chunks a size) keeps those remainders, a freed block cannot merge back into the
        // heap's top: the heap grew by a block per message until the cache was full. With
        // the cache off a worker keeps one freed state at most. Measured, 100 workers that
        // had each echoed 50 compressed 4 KiB lines: median PSS 2281 → 963 kB (770 kB
        // without compression). Nothing in a worker's per-message path mallocs otherwise;
        // apps do not inherit this (their environment is built apart).
        variables.TryAdd("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0");
        return variables.Select(v => $"{v.Key}={v.Value}").ToArray();
    }

    /// <summary>The acceptor's own environment, as <see cref="From"/> takes it.</summary>
    public static string[] FromThisProcess() =>
        From(Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? ""));

    private static bool Passes(string name) =>
        Names.Contains(name) || Prefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));
}
