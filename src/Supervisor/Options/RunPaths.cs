using Supervisor.Unix;

namespace Supervisor.Options;

/// <summary>Where the global FIFO and the control socket live unless told otherwise. The
/// server and the CLI sub-commands share these defaults, so `ws-supervisor broadcast` finds
/// the server that `ws-supervisor` started, with no flags on either.</summary>
public static class RunPaths
{
    public const string FifoName = "global.fifo";
    public const string ControlName = "control.sock";

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
}
