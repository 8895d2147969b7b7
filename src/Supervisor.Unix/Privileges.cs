using System.Globalization;

namespace Supervisor.Unix;

/// <summary>
/// Giving up root for good: supplementary groups (initgroups), then the gid, then the uid —
/// in that order, because after setuid nothing may change groups any more. glibc's
/// setgid/setuid change every thread of the process (it signals each one, SIGSETXID):
/// the kernel keeps credentials per thread, and the .NET runtime's threads are pthreads
/// glibc knows about. <see cref="ThreadIds"/> lets the caller check that it happened.
/// </summary>
public static class Privileges
{
    public readonly record struct Ids(uint Real, uint Effective, uint Saved);

    /// <summary>One thread's "Uid:" and "Gid:" lines from /proc/self/task/TID/status:
    /// real, effective, saved and filesystem ids.</summary>
    public sealed record ThreadIdentity(int Tid, uint[] Uids, uint[] Gids);

    public static void Drop(string userName, uint uid, uint gid)
    {
        if (LibC.initgroups(userName, gid) != 0)
            throw UnixException.FromLastError($"initgroups({userName}, {gid})");
        if (LibC.setgid(gid) != 0)
            throw UnixException.FromLastError($"setgid({gid})");
        if (LibC.setuid(uid) != 0)
            throw UnixException.FromLastError($"setuid({uid})");
    }

    /// <summary>True if this process could make itself root again (setuid(0) succeeded, and
    /// it now is root): after a drop, that would mean the drop did not take.</summary>
    public static bool CanRegainRoot() => LibC.setuid(0) == 0;

    /// <summary>PR_SET_DUMPABLE 0: this process's /proc files become root's, so another
    /// process of the same user can neither read its memory and environment nor ptrace
    /// it. The kernel does this itself on a uid change, but exec undoes it for a child
    /// that changes no ids; an exec from this process again starts dumpable.</summary>
    public static void MakeNonDumpable()
    {
        if (LibC.prctl(LibC.PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
            throw UnixException.FromLastError("prctl(PR_SET_DUMPABLE, 0)");
    }

    public static Ids UserIds()
    {
        if (LibC.getresuid(out uint real, out uint effective, out uint saved) != 0)
            throw UnixException.FromLastError("getresuid");
        return new Ids(real, effective, saved);
    }

    public static Ids GroupIds()
    {
        if (LibC.getresgid(out uint real, out uint effective, out uint saved) != 0)
            throw UnixException.FromLastError("getresgid");
        return new Ids(real, effective, saved);
    }

    public static unsafe uint[] SupplementaryGroups()
    {
        int count = LibC.getgroups(0, null);
        if (count < 0)
            throw UnixException.FromLastError("getgroups");
        var groups = new uint[count];
        fixed (uint* list = groups)
        {
            count = LibC.getgroups(count, list);
        }
        if (count < 0)
            throw UnixException.FromLastError("getgroups");
        return groups[..count];
    }

    /// <summary>Every thread of this process as the kernel sees it.</summary>
    public static IReadOnlyList<ThreadIdentity> ThreadIds()
    {
        var threads = new List<ThreadIdentity>();
        foreach (string dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int tid))
                continue;
            string[] lines;
            try
            {
                lines = File.ReadAllLines(Path.Combine(dir, "status"));
            }
            catch (IOException)
            {
                continue; // the thread ended while we looked
            }
            threads.Add(new ThreadIdentity(tid, IdsOf(lines, "Uid:"), IdsOf(lines, "Gid:")));
        }
        return threads;
    }

    private static uint[] IdsOf(string[] lines, string key)
    {
        string line = lines.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) ?? "";
        return line[key.Length..].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(v => uint.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }
}
