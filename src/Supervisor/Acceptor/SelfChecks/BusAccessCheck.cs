using Supervisor.Unix;

namespace Supervisor.Acceptor.SelfChecks;

/// <summary>
/// Whether the people meant to push can open the FIFO and the control socket: a mode with
/// no group write, a folder on the way that the group cannot enter, a bus left to group
/// root, and (FIFO only) fs.protected_fifos in a sticky world-writable folder. Everything
/// here is read from the files as made; what a particular writer's groups are cannot be
/// known, so the checks speak of "members of the file's group".
/// </summary>
public static class BusAccessCheck
{
    private const uint GroupWrite = 0x10;   // 0020
    private const uint OtherWrite = 0x2;    // 0002
    private const uint GroupSearch = 0x8;   // 0010
    private const uint OtherSearch = 0x1;   // 0001

    /// <param name="what">"global FIFO" or "control socket", for the message.</param>
    /// <param name="ancestors">Every folder from "/" down to the file's own, with its status.</param>
    public static IEnumerable<string> Check(string what, string path, FileStatus file,
        IReadOnlyList<(string Path, FileStatus Status)> ancestors, bool busGroupGiven, int protectedFifos)
    {
        if ((file.Mode & (GroupWrite | OtherWrite)) == 0)
        {
            yield return $"the {what} {path} has mode {Octal(file.Mode)}: only its owner ({UserName(file.Uid)}) can push; " +
                "to let PHP or cron push, give --bus-mode=0660 and --bus-group=GROUP";
            yield break;
        }

        foreach (var (dir, status) in ancestors)
        {
            uint search = status.Gid == file.Gid ? GroupSearch : OtherSearch;
            if ((status.Mode & search) == 0)
            {
                yield return $"members of group {GroupName(file.Gid)} cannot reach the {what} {path}: {dir} " +
                    $"(mode {Octal(status.Mode)}, owner {UserName(status.Uid)}, group {GroupName(status.Gid)}) does not let them through, " +
                    $"so they get EACCES whatever the {what}'s own mode; use a --run-dir they can enter (made with mode 0755)";
                break;
            }
        }

        if (file.Gid == 0 && !busGroupGiven)
        {
            yield return $"the {what} {path} belongs to group root: only root can push, PHP and cron jobs of other users get EACCES; " +
                "give --bus-group=GROUP (e.g. www-data, the group your PHP runs as)";
        }

        if (file.Kind == FileKind.Fifo && ancestors.Count > 0
            && StickyDirectory.DeniesOtherWriters(protectedFifos, ancestors[^1].Status, file))
        {
            yield return $"fs.protected_fifos is {protectedFifos} and the {what} {path} sits in the sticky, shared folder {ancestors[^1].Path}: " +
                $"writers other than its owner ({UserName(file.Uid)}), root included, get EACCES when they open it with O_CREAT " +
                "(echo line > fifo, PHP fopen 'w' or 'a'), whatever its mode; keep it in a folder of its own (--run-dir) " +
                "or push with 'ws-supervisor broadcast'";
        }
    }

    /// <summary>The folders from "/" down to the one holding <paramref name="path"/>.</summary>
    public static IReadOnlyList<(string Path, FileStatus Status)> Ancestors(string path)
    {
        var folders = new List<(string, FileStatus)>();
        for (string? dir = Path.GetDirectoryName(path); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if (FileStatus.Of(dir) is { } status)
                folders.Add((dir, status));
        }
        folders.Reverse();
        return folders;
    }

    private static string Octal(uint mode) => "0" + Convert.ToString(mode & 0xFFF, 8).PadLeft(3, '0');

    private static string UserName(uint uid) => NameIn("/etc/passwd", uid) ?? $"uid {uid}";

    private static string GroupName(uint gid) => NameIn("/etc/group", gid) ?? $"gid {gid}";

    /// <summary>The name for an id in passwd or group format (name:x:id:...); null if none.</summary>
    private static string? NameIn(string file, uint id)
    {
        try
        {
            string text = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return File.ReadLines(file).Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 2 && f[2] == text)?[0];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
