using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>realpath(3): every symlink and "..", in every component, resolved by the kernel's
/// own rules — the only safe way to ask "is this file really inside that folder".</summary>
public static unsafe class RealPath
{
    /// <summary>The canonical path, or null if it does not exist or cannot be resolved.</summary>
    public static string? Resolve(string path)
    {
        byte* resolved = LibC.realpath(path, null);
        if (resolved == null)
            return null;
        try
        {
            return Marshal.PtrToStringUTF8((nint)resolved);
        }
        finally
        {
            LibC.free(resolved);
        }
    }
}
