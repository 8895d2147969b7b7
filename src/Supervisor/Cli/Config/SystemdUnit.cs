using System.Globalization;
using System.Text;

namespace Supervisor.Cli.Config;

/// <summary>
/// The systemd service: readiness over NOTIFY_SOCKET, an unprivileged account, the run
/// folder for the bus kept across restarts, and a stop that lets the acceptor close every
/// WebSocket cleanly. Every choice says why in a comment, because operators edit units.
/// </summary>
public static class SystemdUnit
{
    public const string UnitName = "ws-supervisor.service";

    public static string Write(ConfigRequest request, string madeBy)
    {
        var (backend, service) = (request.Backend, request.Service);
        string runDirName = Path.GetFileName(backend.RunDir!);
        int stopSeconds = service.ShutdownTimeoutSeconds + 10;
        // The acceptor holds two fds per open connection (its control channel to the worker,
        // its copy of the client socket) plus one per handshake in progress; workers and apps
        // each get the same limit for their own handful. 65536 covers tens of thousands of
        // connections.
        long nofile = Math.Min(1_048_576, Math.Max(65_536, 3L * backend.MaxForks + 1024));

        var text = new StringBuilder();
        text.AppendLine("# ws-supervisor as a systemd service.");
        text.AppendLine($"# Made by: {madeBy}");
        text.AppendLine($"# Save as /etc/systemd/system/{UnitName}, then:");
        text.AppendLine("#   systemctl daemon-reload && systemctl enable --now ws-supervisor");
        text.AppendLine("# State and log: systemctl status ws-supervisor; journalctl -u ws-supervisor");
        text.AppendLine();
        text.AppendLine("[Unit]");
        text.AppendLine($"Description=ws-supervisor WebSocket server on {backend.Authority}");
        text.AppendLine("After=network.target");
        text.AppendLine();
        text.AppendLine("[Service]");
        text.AppendLine("# ws-supervisor sends READY=1 to $NOTIFY_SOCKET once its port is bound and the FIFO and");
        text.AppendLine("# control socket are open, so 'systemctl start' returns (and units After= it start) only");
        text.AppendLine("# when it accepts connections.");
        text.AppendLine("Type=notify");
        text.AppendLine($"ExecStart={ServerCommand.ForSystemd(ServerCommand.Words(backend, service.ShutdownTimeoutSeconds))}");
        text.AppendLine("# The acceptor, every worker and every app run as this account. systemd switches to it");
        text.AppendLine("# before ws-supervisor starts, so no code of ours runs as root, and RuntimeDirectory= below");
        text.AppendLine("# is made for it, so it creates the FIFO and control socket itself. (ws-supervisor's own");
        text.AppendLine("# --user binds first and drops root after: for a port below 1024, which a server behind a");
        text.AppendLine("# proxy does not need.)");
        text.AppendLine($"User={service.User}");
        if (service.Group is not null)
            text.AppendLine($"Group={service.Group}");
        if (backend.BusGroup is not null)
        {
            text.AppendLine("# A member of the bus group, so the unprivileged server may give the FIFO and control socket to it.");
            text.AppendLine($"SupplementaryGroups={backend.BusGroup}");
        }
        text.AppendLine($"# {backend.RunDir} holds the FIFO and the control socket ({backend.RunDir} is also the");
        text.AppendLine("# sub-commands' default when run as root; other users give --run-dir or read WS_FIFO).");
        text.AppendLine($"RuntimeDirectory={runDirName}");
        text.AppendLine("RuntimeDirectoryMode=0755");
        text.AppendLine("# Kept when the service stops or restarts: cron jobs and PHP hold the FIFO's path, and an");
        text.AppendLine("# 'echo >' into a removed FIFO's path makes a regular file that stops the next start.");
        text.AppendLine("RuntimeDirectoryPreserve=yes");
        text.AppendLine("# Stop and restart send SIGTERM to the acceptor alone: it closes every WebSocket with 1001");
        text.AppendLine($"# (going away) within --shutdown-timeout ({service.ShutdownTimeoutSeconds} s) and exits; whatever is left after");
        text.AppendLine($"# {stopSeconds} s is SIGKILLed. The default, KillMode=control-group, would SIGTERM every app at once,");
        text.AppendLine("# and clients would see their apps die (1011) instead of a clean close.");
        text.AppendLine("KillMode=mixed");
        text.AppendLine($"TimeoutStopSec={stopSeconds.ToString(CultureInfo.InvariantCulture)}");
        text.AppendLine("Restart=on-failure");
        text.AppendLine("RestartSec=1");
        text.AppendLine("# Each connection costs the acceptor two fds for its life; its worker (about 19) and its app count their own.");
        text.AppendLine($"LimitNOFILE={nofile.ToString(CultureInfo.InvariantCulture)}");
        text.AppendLine("# Each connection is two processes (worker and app), the worker with several threads:");
        text.AppendLine("# systemd's default TasksMax (15% of pid_max, 4915 on many hosts) caps connections first.");
        text.AppendLine("TasksMax=infinity");
        text.AppendLine("NoNewPrivileges=yes");
        text.AppendLine();
        text.AppendLine("[Install]");
        text.AppendLine("WantedBy=multi-user.target");
        return text.ToString();
    }
}
