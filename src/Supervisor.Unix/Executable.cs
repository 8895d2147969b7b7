namespace Supervisor.Unix;

/// <summary>access(2) with X_OK: may this process's user run the file? Asked as the user
/// who will run it, so a 0700 file of root's counts as not executable once privileges
/// are dropped (the mode bits alone would say yes), and the kernel counts the groups,
/// the ACLs and every folder on the way as execve(2) will.</summary>
public static class Executable
{
    public static bool IsRunnableByMe(string path) => LibC.access(path, LibC.X_OK) == 0;

    /// <summary>Null when this process's user may run (or, for a folder, enter) it; else
    /// why not (ENOENT, EACCES, ...).</summary>
    public static UnixException? AccessError(string path) =>
        LibC.access(path, LibC.X_OK) == 0 ? null : UnixException.FromLastError("access " + path);
}
