using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>Modes, groups and the effective ids: what decides who may write to the bus.</summary>
public static class FileOwnership
{
    public static void SetMode(string path, uint mode)
    {
        if (LibC.chmod(path, mode) != 0)
            throw UnixException.FromLastError("chmod " + path);
    }

    /// <summary>Gives the file to a group, keeping its owner (lchown with uid -1).</summary>
    public static void SetGroup(string path, uint gid)
    {
        if (LibC.lchown(path, uint.MaxValue, gid) != 0)
            throw UnixException.FromLastError("chown " + path);
    }

    /// <summary>Gives the file to a user and a group (lchown: a symlink itself, never its target).</summary>
    public static void SetOwner(string path, uint uid, uint gid)
    {
        if (LibC.lchown(path, uid, gid) != 0)
            throw UnixException.FromLastError($"chown {uid}:{gid} {path}");
    }

    /// <summary>The gid of a group name, or null if there is no such group.</summary>
    public static uint? GroupId(string name)
    {
        nint group = LibC.getgrnam(name);
        // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; ... }
        return group == 0 ? null : (uint)Marshal.ReadInt32(group, 2 * IntPtr.Size);
    }

    public static uint EffectiveUserId => LibC.geteuid();

    public static uint EffectiveGroupId => LibC.getegid();
}
