using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>A login from the user database (getpwnam_r/getpwuid_r: NSS, so LDAP and
/// systemd's dynamic users count too).</summary>
public sealed record UserAccount(string Name, uint Uid, uint Gid, string Home)
{
    // The strings live in the caller's buffer; ERANGE asks for a bigger one.
    private const int FirstBufferSize = 1024;
    private const int LastBufferSize = 1024 * 1024;

    /// <summary>The account called <paramref name="name"/>, or null if there is none.</summary>
    public static unsafe UserAccount? Find(string name)
    {
        for (nint size = FirstBufferSize; size <= LastBufferSize; size *= 4)
        {
            byte* buffer = (byte*)NativeMemory.Alloc((nuint)size);
            try
            {
                int error = LibC.getpwnam_r(name, out var entry, buffer, size, out var result);
                if (error != LibC.ERANGE)
                    return Read(error, result, entry, "getpwnam_r " + name);
            }
            finally
            {
                NativeMemory.Free(buffer);
            }
        }
        throw new UnixException("getpwnam_r " + name, LibC.ERANGE);
    }

    /// <summary>The account with this uid, or null if the uid has no name.</summary>
    public static unsafe UserAccount? Find(uint uid)
    {
        for (nint size = FirstBufferSize; size <= LastBufferSize; size *= 4)
        {
            byte* buffer = (byte*)NativeMemory.Alloc((nuint)size);
            try
            {
                int error = LibC.getpwuid_r(uid, out var entry, buffer, size, out var result);
                if (error != LibC.ERANGE)
                    return Read(error, result, entry, $"getpwuid_r {uid}");
            }
            finally
            {
                NativeMemory.Free(buffer);
            }
        }
        throw new UnixException($"getpwuid_r {uid}", LibC.ERANGE);
    }

    private static unsafe UserAccount? Read(int error, LibC.Passwd* result, in LibC.Passwd entry, string call)
    {
        if (error != 0)
            throw new UnixException(call, error);
        if (result == null)
            return null;
        return new UserAccount(
            Marshal.PtrToStringUTF8((nint)entry.pw_name) ?? "",
            entry.pw_uid,
            entry.pw_gid,
            Marshal.PtrToStringUTF8((nint)entry.pw_dir) ?? "/");
    }
}
