using Supervisor.Protocol.Static;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Static;

/// <summary>What a static request resolves to: a regular file inside the root, a redirect
/// to a folder's address with its slash, or nothing (404).</summary>
public readonly record struct StaticTarget(string? FilePath, string? RedirectTo)
{
    public static readonly StaticTarget NotFound = new(null, null);
}

/// <summary>
/// Maps a decoded request path to a file under --staticdir. The segments are already safe
/// to join (<see cref="StaticPath"/>); what they name is then resolved by realpath(3), so a
/// symlink anywhere on the way that leads out of the root is 404, whatever its name. Only
/// regular files are served: never a folder listing, a FIFO (whose open would block) or a
/// device. A folder is served by its index.html.
/// </summary>
public sealed class StaticResolver
{
    public const string IndexFile = "index.html";

    private readonly string _root;

    /// <param name="root">The folder to serve; resolved once, here.</param>
    public StaticResolver(string root)
    {
        _root = RealPath.Resolve(root) ?? throw new DirectoryNotFoundException($"{root}: no such folder");
    }

    public string Root => _root;

    public StaticTarget Resolve(string rawPath)
    {
        if (StaticPath.Decode(rawPath, out bool trailingSlash) is not { } segments)
            return StaticTarget.NotFound;

        string? real = Inside(Path.Join([_root, .. segments]));
        switch (real is null ? null : FileStatus.Of(real))
        {
            case { Kind: FileKind.Regular } when !trailingSlash:
                return new StaticTarget(real, null);
            case { Kind: FileKind.Directory } when trailingSlash:
                return Inside(Path.Join(real, IndexFile)) is { } index && FileStatus.Of(index) is { Kind: FileKind.Regular }
                    ? new StaticTarget(index, null)
                    : StaticTarget.NotFound;
            case { Kind: FileKind.Directory }:
                // rawPath passed StaticPath: one leading '/', no empty segment, visible ASCII.
                return new StaticTarget(null, rawPath + "/");
            default:
                return StaticTarget.NotFound;
        }
    }

    /// <summary>The real path of <paramref name="path"/> if it exists and lies inside the root.</summary>
    public string? Inside(string path)
    {
        string? real = RealPath.Resolve(path);
        if (real is null)
            return null;
        return real == _root || real.StartsWith(_root.EndsWith('/') ? _root : _root + "/", StringComparison.Ordinal)
            ? real
            : null;
    }
}
