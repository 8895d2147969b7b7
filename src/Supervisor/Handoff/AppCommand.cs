namespace Supervisor.Handoff;

/// <summary>
/// What a worker (or, in socket mode, the acceptor) actually spawns for an app. Without
/// limits, the app itself. With --limit-*, this binary as <c>exec-app LIMITS PATH ARGS…</c>,
/// which sets the rlimits and execs the app in the same process: posix_spawn has no rlimit attribute, and setting
/// them with prlimit(2) after the spawn would leave the app running unlimited until then
/// (see docs/hardening.md for the figures). The spawner itself stays unlimited: its
/// runtime reserves a 4 GiB GC range at startup and could not start under a small RLIMIT_AS.
/// </summary>
public static class AppCommand
{
    private static readonly string Self = Environment.ProcessPath
        ?? throw new InvalidOperationException("cannot tell this program's own path");

    public static (string File, string[] Argv) For(string path, IReadOnlyList<string> args, AppLimits limits) =>
        limits.IsEmpty
            ? (path, [path, .. args])
            : (Self, [Self, HandoffContract.ExecAppCommand, limits.Encode(), path, .. args]);
}
