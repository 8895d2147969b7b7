using System.Globalization;

namespace Supervisor.Benchmarks.Servers;

/// <summary>One live process under a server: its depth below the server (0 = the server
/// itself), its proportional set size, and its anonymous memory (heap, stacks, GC regions).</summary>
public readonly record struct TreeProcess(int Pid, int Depth, ulong StartTime, long PssKb, long AnonymousKb, int ParentPid)
{
    /// <summary>From the same read of /proc/PID/stat as the rest: user + system ticks of the
    /// process itself, and of the children it has reaped.</summary>
    public long CpuTicks { get; init; }

    public long ChildCpuTicks { get; init; }
}

/// <summary>From /proc/PID/smaps_rollup, in kB.</summary>
public readonly record struct Rollup(long PssKb, long AnonymousKb);

/// <summary>
/// A server's whole process tree as /proc shows it. PSS (proportional set size) splits
/// every shared page among the processes that map it, so summing it over a tree counts
/// the bash binary and libc once in total, not once per process: the honest figure for
/// "what does one more connection cost this machine".
/// </summary>
public static class ProcessTree
{
    private readonly record struct Stat(int Pid, char State, int ParentPid, ulong StartTime, long CpuTicks, long ChildCpuTicks);

    /// <summary>USER_HZ: /proc reports CPU times in these ticks, 100 a second on every
    /// mainstream Linux configuration whatever the kernel's own HZ.</summary>
    public const double TicksPerSecond = 100;

    /// <summary>CPU time (user + system) of the process, and with <paramref name="withReaped"/>
    /// also of every descendant it has reaped — a process's exit adds its own time and its
    /// reaped children's to its parent's. So after a run has ended and its processes have
    /// been reaped, the server's delta is the whole tree's CPU for that run. -1 if gone.</summary>
    public static long CpuTicks(int pid, bool withReaped) =>
        ReadStat(pid) is { } stat ? stat.CpuTicks + (withReaped ? stat.ChildCpuTicks : 0) : -1;

    /// <summary>CPU seconds of the whole tree: every live thread's run time, and the times of
    /// everything the tree's processes have reaped. Taken before and after a run, the
    /// difference is the run's CPU even when processes live on (ws-supervisor's pooled
    /// workers) or exit in between (their total then moves into their parent's reaped time).
    /// </summary>
    /// <remarks>A live thread's time comes from /proc/PID/task/TID/schedstat, in nanoseconds:
    /// /proc/PID/stat's utime + stime are whole ticks, split between user and system by
    /// sampling, and over a one-second run of two hundred processes they came out anywhere
    /// between a third and all of what schedstat and the machine's busy time showed.</remarks>
    public static double TreeCpuSeconds(int root)
    {
        double seconds = 0;
        foreach (var process in Walk(root, withMemory: false))
        {
            seconds += process.ChildCpuTicks / TicksPerSecond;
            seconds += RunNanoseconds(process.Pid) is long ns ? ns / 1e9 : process.CpuTicks / TicksPerSecond;
        }
        return seconds;
    }

    /// <summary>The sum of every live thread's run time, or null where schedstat is missing
    /// (a kernel without CONFIG_SCHED_INFO) or the process is gone.</summary>
    private static long? RunNanoseconds(int pid)
    {
        try
        {
            long total = 0;
            foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                string first = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0];
                total += long.Parse(first, NumberStyles.None, CultureInfo.InvariantCulture);
            }
            return total;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // a thread that ended mid-walk takes its time with it; the process's own is gone too
        }
    }

    /// <summary>Every live process at or under <paramref name="root"/>, breadth first.
    /// Zombies are left out: they hold no memory and are about to go.</summary>
    public static IReadOnlyList<TreeProcess> Walk(int root, bool withMemory)
    {
        var children = new Dictionary<int, List<Stat>>();
        Stat? rootStat = null;
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                continue;
            if (ReadStat(pid) is not { } stat || stat.State is 'Z' or 'X')
                continue;
            if (pid == root)
                rootStat = stat;
            if (!children.TryGetValue(stat.ParentPid, out var list))
                children[stat.ParentPid] = list = [];
            list.Add(stat);
        }
        if (rootStat is not { } top)
            return [];

        var found = new List<TreeProcess>();
        var queue = new Queue<(Stat Stat, int Depth)>([(top, 0)]);
        while (queue.Count > 0)
        {
            var (stat, depth) = queue.Dequeue();
            var memory = withMemory ? ReadRollup(stat.Pid) : default;
            found.Add(new TreeProcess(stat.Pid, depth, stat.StartTime, memory.PssKb, memory.AnonymousKb, stat.ParentPid)
            {
                CpuTicks = stat.CpuTicks,
                ChildCpuTicks = stat.ChildCpuTicks,
            });
            if (children.TryGetValue(stat.Pid, out var kids))
            {
                foreach (var kid in kids)
                    queue.Enqueue((kid, depth + 1));
            }
        }
        return found;
    }

    /// <summary>The live processes under <paramref name="root"/>, not counting it.</summary>
    public static int DescendantCount(int root) => Walk(root, withMemory: false).Count(p => p.Depth > 0);

    /// <summary>The live processes exactly <paramref name="depth"/> levels under <paramref name="root"/>.</summary>
    public static int CountAtDepth(int root, int depth) => Walk(root, withMemory: false).Count(p => p.Depth == depth);

    /// <summary>"Pss:" and "Anonymous:" from /proc/PID/smaps_rollup (Linux 4.14+); zeros if
    /// the process has gone meanwhile. Anonymous memory is what tells one process's own
    /// growth: its PSS, and even its private (USS) pages, also move when other processes
    /// start sharing its file pages (the acceptor's share of the ws-supervisor binary shrinks
    /// as workers map the same file: measured, −36 kB "per connection" at 50).</summary>
    public static Rollup ReadRollup(int pid)
    {
        long pss = 0, anonymous = 0;
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                if (line.StartsWith("Pss:", StringComparison.Ordinal))
                    pss = Kb(line);
                else if (line.StartsWith("Anonymous:", StringComparison.Ordinal))
                    anonymous = Kb(line);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return default; // exited between the walk and the read
        }
        return new Rollup(pss, anonymous);
    }

    /// <summary>"Name:   1234 kB" → 1234.</summary>
    private static long Kb(string line)
    {
        var value = line.AsSpan(line.IndexOf(':') + 1).Trim();
        if (value.EndsWith("kB", StringComparison.Ordinal))
            value = value[..^2].TrimEnd();
        return long.Parse(value, CultureInfo.InvariantCulture);
    }

    public static bool IsSameProcess(int pid, ulong startTime) =>
        ReadStat(pid) is { } stat && stat.StartTime == startTime && stat.State is not ('Z' or 'X');

    private static Stat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after
        // the last ')'. Counting from the state as index 0: utime, stime, cutime, cstime
        // (fields 14-17) are 11-14, starttime (field 22) is 19.
        int close = text.LastIndexOf(')');
        if (close < 0 || close + 2 >= text.Length)
            return null;
        string[] fields = text[(close + 2)..].Split(' ');
        long Field(int index) => long.Parse(fields[index], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return new Stat(pid, fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture),
            ulong.Parse(fields[19], CultureInfo.InvariantCulture), Field(11) + Field(12), Field(13) + Field(14));
    }
}
