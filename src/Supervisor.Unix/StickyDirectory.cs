namespace Supervisor.Unix;

/// <summary>
/// fs.protected_fifos: in a sticky directory that others may write (/tmp, /var/tmp), the
/// kernel refuses an open with O_CREAT of a FIFO the opener does not own, unless the FIFO
/// belongs to the directory's owner — with EACCES, to root too, whatever the FIFO's mode.
/// A shell's `echo line > fifo` and PHP's fopen(…, 'w') or 'a' open with O_CREAT, so every
/// writer but the FIFO's owner is turned away. Level 1 covers world-writable sticky
/// directories, level 2 group-writable ones too. Mirrors may_create_in_sticky() in
/// fs/namei.c (Linux 4.19+; Debian and Ubuntu ship level 1 or 2 through systemd's sysctl.d).
/// </summary>
public static class StickyDirectory
{
    private const uint Sticky = 0x200; // S_ISVTX
    private const uint OtherWrite = 0x2; // S_IWOTH
    private const uint GroupWrite = 0x10; // S_IWGRP

    public const string ProtectedFifosPath = "/proc/sys/fs/protected_fifos";

    /// <summary>The sysctl's value, 0 when it cannot be read (kernels before 4.19 have none).</summary>
    public static int ProtectedFifos()
    {
        try
        {
            return int.TryParse(File.ReadAllText(ProtectedFifosPath).Trim(), out int level) ? level : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>True if a process of <paramref name="openerUid"/> gets EACCES opening the
    /// FIFO with O_CREAT.</summary>
    public static bool DeniesCreatingOpen(int protectedFifos, FileStatus directory, FileStatus fifo, uint openerUid)
    {
        if (protectedFifos <= 0 || fifo.Kind != FileKind.Fifo || (directory.Mode & Sticky) == 0)
            return false;
        if (fifo.Uid == directory.Uid || fifo.Uid == openerUid)
            return false;
        return (directory.Mode & OtherWrite) != 0 || (protectedFifos >= 2 && (directory.Mode & GroupWrite) != 0);
    }

    /// <summary>True if every writer but the FIFO's owner gets EACCES opening it with O_CREAT.</summary>
    public static bool DeniesOtherWriters(int protectedFifos, FileStatus directory, FileStatus fifo) =>
        DeniesCreatingOpen(protectedFifos, directory, fifo, openerUid: fifo.Uid == uint.MaxValue ? 0 : fifo.Uid + 1);
}
