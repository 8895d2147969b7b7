using Supervisor.Options;
using Supervisor.Unix;

namespace Supervisor.Acceptor;

/// <summary>
/// Maps a request path to an app. One command serves every path; under --dir, /NAME
/// (and /NAME/more, with "/more" as PATH_INFO) runs DIR/NAME. What may run under --dir
/// is narrow on purpose: one decoded path segment, no dot-files, no "..", no NUL, a
/// regular executable file whose real path is still inside DIR. Anything else is 404.
/// </summary>
public sealed class AppRouter(AppOptions app)
{
    private readonly string? _realDir = app.Directory is null ? null : RealPath.Resolve(app.Directory);

    public AppRoute? Resolve(string rawPath)
    {
        if (app.Command is not null)
            return new AppRoute(app.Command, app.Args, rawPath, "");

        string trimmed = rawPath.TrimStart('/');
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
        if (name.Length == 0 || name[0] == '.' || name.Contains('/') || name.Contains('\\') || name.Contains('\0'))
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
        var info = new FileInfo(real);
        return info.Exists && OptionsParser.IsExecutable(real);
    }
}
