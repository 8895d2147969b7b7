using System.Text;
using Supervisor.Unix;

namespace Supervisor.Options;

/// <summary>Where the global FIFO and the control socket live unless told otherwise. The
/// server and the CLI sub-commands share these defaults, so `ws-supervisor broadcast` finds
/// the server that `ws-supervisor` started, with no flags on either.</summary>
public static class RunPaths
{
    public const string FifoName = "global.fifo";
    public const string ControlName = "control.sock";

    // Linux's PATH_MAX (4096 with the NUL) and NAME_MAX (one name in a path).
    private const int MaxPathBytes = 4095;
    private const int MaxNameBytes = 255;

    /// <summary>/run/ws-supervisor for root (systemd's RuntimeDirectory= gives the same),
    /// $XDG_RUNTIME_DIR/ws-supervisor for a logged-in user, else /tmp/ws-supervisor-UID.</summary>
    public static string DefaultDirectory()
    {
        uint uid = FileOwnership.EffectiveUserId;
        if (uid == 0)
            return "/run/ws-supervisor";
        string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(runtime) ? $"/tmp/ws-supervisor-{uid}" : Path.Combine(runtime, "ws-supervisor");
    }

    /// <summary>The sub-command that reaches the server on <paramref name="controlPath"/>, with
    /// the flag it needs when the path is not the default one.</summary>
    public static string StatusCommand(string controlPath)
    {
        string? folder = Path.GetDirectoryName(controlPath);
        if (Path.GetFileName(controlPath) != ControlName || folder is null)
            return $"ws-supervisor status --control={controlPath}";
        return folder == DefaultDirectory() ? "ws-supervisor status" : $"ws-supervisor status --run-dir={folder}";
    }

    /// <summary>A unix socket's path must fit sun_path: checked before anything is made, with
    /// the flag that chose the path (<paramref name="flag"/>: --run-dir or --control).</summary>
    public static void CheckSocketPath(string path, string flag)
    {
        int bytes = UnixSocketFile.PathBytes(path);
        if (bytes > UnixSocketFile.MaxPathBytes)
            throw new UsageException(
                $"{flag}: the control socket {path} would be {bytes} bytes long, and a unix socket path holds at most " +
                $"{UnixSocketFile.MaxPathBytes}; give a shorter --run-dir or --control");
    }

    /// <summary>PATH_MAX and NAME_MAX, so mkdir and mkfifo never fail with ENAMETOOLONG.</summary>
    public static void CheckLength(string path, string flag)
    {
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
            throw new UsageException($"{flag}: {path[..40]}… is longer than the {MaxPathBytes} bytes a path may have");
        string? longName = path.Split('/').FirstOrDefault(name => Encoding.UTF8.GetByteCount(name) > MaxNameBytes);
        if (longName is not null)
            throw new UsageException($"{flag}: {longName[..40]}… is longer than the {MaxNameBytes} bytes a file name may have");
    }
}
