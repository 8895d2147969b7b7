using System.Globalization;

namespace Supervisor.Unix;

/// <summary>
/// Whether a process group still has a live member. kill(-pgid, 0) answers "any member",
/// zombies included, and an orphan's zombie stays in its group until whoever adopted it
/// reaps it: measured here, a PID 1 that reaped every few seconds kept a killed background
/// job's group "alive" through every step of the termination table. /proc tells the two
/// apart, at the cost of a walk over every process, so it is asked only when kill says yes.
/// </summary>
public static class ProcessGroup
{
    /// <summary>True if a process of group <paramref name="processGroup"/> exists that is not
    /// a zombie. A group whose members we may not signal (EPERM) counts as gone: nothing
    /// here could stop it anyway.</summary>
    public static bool HasLiveMember(int processGroup)
    {
        if (!Processes.Signal(-processGroup, 0))
            return false;
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // ended while we looked
            }
            if (IsLiveMember(stat, processGroup))
                return true;
        }
        return false;
    }

    /// <summary>True if <paramref name="pid"/> is a live child of <paramref name="parent"/>
    /// that leads a process group of its own: what a worker's app is, and what a pid taken
    /// on someone's word must be before its group is signalled.</summary>
    public static bool IsChildLeadingItsGroup(int pid, int parent)
    {
        if (pid <= 1)
            return false;
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        return Parse(stat) is { } p && p.Parent == parent && p.Group == pid && p.Live;
    }

    /// <summary>Reads a /proc/PID/stat line: "pid (comm) state ppid pgrp ...". comm may hold
    /// spaces and parentheses, so the fields after it are counted from its last ')'.</summary>
    public static bool IsLiveMember(ReadOnlySpan<char> stat, int processGroup) =>
        Parse(stat) is { } p && p.Group == processGroup && p.Live;

    private static (bool Live, int Parent, int Group)? Parse(ReadOnlySpan<char> stat)
    {
        int close = stat.LastIndexOf(')');
        if (close < 0)
            return null;
        Span<Range> fields = stackalloc Range[4];
        var rest = stat[(close + 1)..].TrimStart(' ');
        if (rest.Split(fields, ' ') < 4)
            return null;
        var state = rest[fields[0]];
        if (!int.TryParse(rest[fields[1]], NumberStyles.None, CultureInfo.InvariantCulture, out int parent) ||
            !int.TryParse(rest[fields[2]], NumberStyles.None, CultureInfo.InvariantCulture, out int group))
            return null;
        return (state is not ("Z" or "X"), parent, group);
    }
}
