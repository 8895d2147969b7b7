using Supervisor.Handoff;
using Supervisor.Options;

namespace Supervisor.Acceptor;

/// <summary>Which mode serves a route: under --dir, a <c>MODE-</c> prefix on the file name
/// wins (so one folder can mix line, exact and cgi apps); otherwise the server's --mode.</summary>
public static class ModeChoice
{
    public static AppMode For(AppRoute route, ServerOptions options) =>
        options.App.Directory is not null && AppModes.FromFileNamePrefix(Path.GetFileName(route.Executable)) is { } named
            ? named
            : options.Modes.Mode;
}
