namespace Supervisor.Unix;

/// <summary>mkdir(2) for a folder and any missing folders above it, as `mkdir -p` does, with
/// the errno of the step that failed (.NET's Directory.CreateDirectory keeps only an
/// exception type and a resource key for most of them).</summary>
public static class Folder
{
    /// <exception cref="UnixException">mkdir failed (the call names the folder it was making).</exception>
    public static void Create(string path, uint mode)
    {
        string full = Path.GetFullPath(path);
        string? parent = Path.GetDirectoryName(full);
        if (parent is not null && FileStatus.Of(parent) is null)
            Create(parent, mode);
        if (LibC.mkdir(full, mode) != 0)
        {
            var error = UnixException.FromLastError("mkdir " + full);
            if (error.Errno != LibC.EEXIST)
                throw error;
        }
    }
}
