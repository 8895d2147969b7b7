namespace Supervisor.Unix;

/// <summary>What kind of file sits at a path (not following a final symlink), who owns
/// it, and which file it is (device and inode: two names, or a name and an open
/// descriptor, are the same file when both match).</summary>
public readonly record struct FileStatus(FileKind Kind, uint Mode, uint Uid, uint Gid)
{
    public ulong Device { get; init; }

    public ulong Inode { get; init; }

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
        return From(status);
    }

    /// <summary>statx(AT_EMPTY_PATH) of an open descriptor: the file it is open on, even
    /// after its name was removed or given to another file.</summary>
    public static FileStatus OfDescriptor(int fd)
    {
        if (LibC.statx(fd, "", LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, out var status) != 0)
            throw UnixException.FromLastError("statx fd " + fd);
        return From(status);
    }

    public bool IsSameFileAs(FileStatus other) => Device == other.Device && Inode == other.Inode;

    private static FileStatus From(LibC.Statx status)
    {
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
        return new FileStatus(kind, mode & 0xFFF, status.stx_uid, status.stx_gid)
        {
            Device = ((ulong)status.stx_dev_major << 32) | status.stx_dev_minor,
            Inode = status.stx_ino,
        };
    }
}

public enum FileKind { Unknown, Fifo, CharacterDevice, Directory, BlockDevice, Regular, Symlink, Socket }
