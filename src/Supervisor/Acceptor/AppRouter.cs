using Supervisor.Options;
using Supervisor.Unix;

namespace Supervisor.Acceptor;

/// <summary>
/// Maps a request path to an app. One command serves every path; under --dir, /NAME
/// (and /NAME/more, with "/more" as PATH_INFO) runs DIR/NAME. What may run under --dir
/// is narrow on purpose: one percent-decoded path segment with no '/', '\', NUL or other
/// control character, not starting with '.' (so no "..", no dot-files); its real path
/// (every symlink resolved) directly inside DIR and not a dot-file either; a regular
/// file (not a directory, FIFO, socket or device) that this process's user may execute.
/// A symlink inside DIR to another file directly inside DIR is allowed (an alias);
/// one leading anywhere else is not. Anything else is 404, the same answer as for a name
/// that does not exist, so a probe learns nothing about what is there.
/// </summary>
public sealed class AppRouter(AppOptions app)
{
    private readonly string? _realDir = app.Directory is null ? null : RealPath.Resolve(app.Directory);

    public AppRoute? Resolve(string rawPath)
    {
        if (app.Command is not null)
            return new AppRoute(app.Command, app.Args, rawPath, "");

        // One '/' and the name: "//echo.sh" starts with an empty segment, which names no
        // file (as under --staticdir), so it is 404 rather than an alias of /echo.sh.
        string trimmed = rawPath.StartsWith('/') ? rawPath[1..] : rawPath;
        int slash = trimmed.IndexOf('/');
        string encodedName = slash < 0 ? trimmed : trimmed[..slash];
        string pathInfo = slash < 0 ? "" : trimmed[slash..];

        string name;
        try
        {
            name = Uri.UnescapeDataString(encodedName);
        }
        catch (UriFormatException)
        {
            return null;
        }
        if (name.Length == 0 || name[0] == '.' || name.Contains('/') || name.Contains('\\') || name.Any(char.IsControl))
            return null;

        string candidate = Path.Combine(app.Directory!, name);
        if (!IsServable(candidate))
            return null;
        return new AppRoute(candidate, [], "/" + encodedName, pathInfo);
    }

    private bool IsServable(string path)
    {
        string? real = RealPath.Resolve(path);
        if (real is null || Path.GetDirectoryName(real) != _realDir)
            return false; // missing, or a symlink leading out of the folder
        if (Path.GetFileName(real).StartsWith('.'))
            return false; // a symlink to a dot-file
        try
        {
            // realpath resolved every link, so this is the file itself. FileInfo.Exists
            // would say yes to a FIFO or a device too.
            return FileStatus.Of(real) is { Kind: FileKind.Regular } && Executable.IsRunnableByMe(real);
        }
        catch (UnixException)
        {
            return false; // EACCES and the like: not ours to run
        }
    }
}
