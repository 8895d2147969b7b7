using Serilog;
using Supervisor.Logging;
using Supervisor.Unix;

namespace Supervisor.Acceptor;

/// <summary>
/// A socket-mode app has been reaped: its connection is over (the app held the client's
/// only socket). The access log's "connection ended" line, as a worker writes for the
/// other modes; the acceptor knows no close code or byte counts, only how the app ended.
/// </summary>
public static class SocketAppEnd
{
    public static void Record(WorkerEntry entry, string target, ChildExit exit, ILogger log)
    {
        var connection = ConnectionLog.For(log, entry.ConnectionId, entry.RemoteAddress);
        if (!exit.Succeeded)
        {
            // Whatever it started (its own process group) goes with it.
            Processes.Signal(-entry.Pid, Processes.SIGKILL);
            connection.Warning("socket-mode app {AppPid} ended abnormally: {Exit}", entry.Pid, exit);
        }
        long durationMs = (long)(DateTimeOffset.UtcNow - entry.StartedAt).TotalMilliseconds;
        connection.ForContext(LogSetup.AccessProperty, true).Information(
            "connection ended: {Path} app={AppPid} mode=socket duration={DurationMs}ms app-exit={AppExit}",
            target, entry.Pid, durationMs, exit.ToString());
    }
}
