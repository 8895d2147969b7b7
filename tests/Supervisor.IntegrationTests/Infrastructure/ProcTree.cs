using System.Globalization;

namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>The process tree as /proc shows it: parent pids, command lines, fds, threads.</summary>
public static class ProcTree
{
    /// <summary>One process, identified by pid and start time so a reused pid is never
    /// mistaken for it.</summary>
    public readonly record struct ProcessId(int Pid, ulong StartTime);

    public sealed record Stat(int Pid, char State, int ParentPid, ulong StartTime);

    /// <summary>Null if the process does not exist (a zombie still has a stat).</summary>
    public static Stat? ReadStat(int pid)
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
        // "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split
        // after the last ')'. Field 22 (starttime) is index 19 after the state.
        int close = text.LastIndexOf(')');
        string[] fields = text[(close + 2)..].Split(' ');
        return new Stat(pid, fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture),
            ulong.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    /// <summary>True while the process exists and has not exited (zombies count as gone).</summary>
    public static bool IsAlive(int pid) => ReadStat(pid) is { State: not ('Z' or 'X') };

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').TrimEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    public static IReadOnlyList<Stat> Children(int parentPid)
    {
        var children = new List<Stat>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                continue;
            if (ReadStat(pid) is { } stat && stat.ParentPid == parentPid && stat.State is not ('Z' or 'X'))
                children.Add(stat);
        }
        return children;
    }

    /// <summary>Every live descendant, with start times for a later, reuse-safe kill.</summary>
    public static IReadOnlyList<ProcessId> Descendants(int rootPid)
    {
        var found = new List<ProcessId>();
        var queue = new Queue<int>([rootPid]);
        while (queue.Count > 0)
        {
            foreach (var child in Children(queue.Dequeue()))
            {
                found.Add(new ProcessId(child.Pid, child.StartTime));
                queue.Enqueue(child.Pid);
            }
        }
        return found;
    }

    public static bool IsSameProcess(ProcessId id) => ReadStat(id.Pid) is { } stat && stat.StartTime == id.StartTime;

    public static int FdCount(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;

    public static int ThreadCount(int pid) => Directory.GetDirectories($"/proc/{pid}/task").Length;

    public const int SchedOther = 0;
    public const int SchedBatch = 3;

    /// <summary>A process's or thread's scheduling policy: field 41 of the stat file at
    /// <paramref name="statPath"/> (/proc/PID/stat or /proc/PID/task/TID/stat).</summary>
    public static int SchedulingPolicy(string statPath)
    {
        string stat = File.ReadAllText(statPath);
        string[] afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(afterName[41 - 3], CultureInfo.InvariantCulture);
    }

    /// <summary>How often a thread has gone to sleep: voluntary_ctxt_switches from its
    /// status file (/proc/PID/task/TID/status).</summary>
    public static long VoluntarySwitches(string statusPath) =>
        long.Parse(File.ReadLines(statusPath).First(l => l.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
            .Split(':')[1].Trim(), CultureInfo.InvariantCulture);

    /// <summary>For each of <paramref name="pids"/>, how often its thread named
    /// <paramref name="threadName"/> (comm) has gone to sleep; a process or thread that
    /// ends while being read is left out.</summary>
    public static Dictionary<int, long> ThreadSleeps(IEnumerable<int> pids, string threadName)
    {
        var sleeps = new Dictionary<int, long>();
        foreach (int pid in pids)
        {
            try
            {
                foreach (string task in Directory.GetDirectories($"/proc/{pid}/task"))
                {
                    if (File.ReadAllText($"{task}/comm").Trim() == threadName)
                        sleeps[pid] = VoluntarySwitches($"{task}/status");
                }
            }
            catch (IOException)
            {
                // Ended while being read.
            }
        }
        return sleeps;
    }

    /// <summary>Polls until the process has exited, or the timeout passes; true if it exited.</summary>
    public static Task<bool> WaitUntilGoneAsync(int pid, TimeSpan timeout) => PollUntilAsync(() => !IsAlive(pid), timeout);

    /// <summary>Polls until the process has exited and been reaped (a zombie keeps its /proc
    /// entry), or the timeout passes; true if it is gone from /proc.</summary>
    public static Task<bool> WaitUntilReapedAsync(int pid, TimeSpan timeout) =>
        PollUntilAsync(() => !Directory.Exists($"/proc/{pid}"), timeout);

    private static async Task<bool> PollUntilAsync(Func<bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done())
        {
            if (DateTime.UtcNow >= deadline)
                return false;
            await Task.Delay(10);
        }
        return true;
    }
}
