namespace Supervisor.Unix;

/// <summary>What kind of file sits at a path (not following a final symlink), and who owns it.</summary>
public readonly record struct FileStatus(FileKind Kind, uint Mode, uint Uid, uint Gid)
{
    /// <summary>statx(AT_SYMLINK_NOFOLLOW); null when nothing is there.</summary>
    public static FileStatus? Of(string path)
    {
        if (LibC.statx(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var status) != 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == LibC.ENOENT)
                return null;
            throw new UnixException("statx " + path, errno);
        }
        uint mode = status.stx_mode;
        var kind = (mode & 0xF000) switch
        {
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x4000 => FileKind.Directory,
            0x6000 => FileKind.BlockDevice,
            0x8000 => FileKind.Regular,
            0xA000 => FileKind.Symlink,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        };
        return new FileStatus(kind, mode & 0xFFF, status.stx_uid, status.stx_gid);
    }
}

public enum FileKind { Unknown, Fifo, CharacterDevice, Directory, BlockDevice, Regular, Symlink, Socket }
