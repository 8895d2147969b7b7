namespace Supervisor.Unix;

/// <summary>access(2) with X_OK: may this process's user run the file? Asked as the user
/// who will run it, so a 0700 file of root's counts as not executable once privileges
/// are dropped (the mode bits alone would say yes).</summary>
public static class Executable
{
    public static bool IsRunnableByMe(string path) => LibC.access(path, LibC.X_OK) == 0;
}
