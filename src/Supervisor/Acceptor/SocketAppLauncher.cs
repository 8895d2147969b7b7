using System.Globalization;
using System.Net.Sockets;
using Serilog;
using Supervisor.Acceptor.Channels;
using Supervisor.Handoff;
using Supervisor.Protocol.Frames;
using Supervisor.Unix;
using Supervisor.Worker;

namespace Supervisor.Acceptor;

/// <summary>
/// Socket mode's handoff: the app itself gets the client socket at fd 3 and the bus at
/// fd 4 (the same <see cref="ControlFrame"/>s a worker gets: Text, GoingAway), so a
/// connection costs one process. Unlike a worker, the app may speak first, so the 101
/// goes out before the spawn; a spawn that then fails is answered in WebSocket terms,
/// close 1011, since HTTP is over for that client.
/// </summary>
public sealed class SocketAppLauncher
{
    /// <summary>Variables that tell the app what it was handed (docs/modes.md).</summary>
    public const string SocketFdVariable = "WS_SOCKET_FD";
    public const string ControlFdVariable = "WS_CONTROL_FD";
    public const string ExtensionsVariable = "WS_EXTENSIONS";
    public const string MaxMessageVariable = "WS_MAX_MESSAGE";
    public const string PingIntervalVariable = "WS_PING_INTERVAL";

    // What a worker sends when its app cannot be started: the same close for the same failure.
    private static readonly byte[] CloseCouldNotStart =
        CloseFrame.Server(1011, EndReasons.CloseText(EndReason.AppCouldNotStart));

    /// <summary>The app's pid and the acceptor's end of its control channel, or null if it
    /// could not be started (logged, the client told with close 1011, the socket closed).
    /// <paramref name="log"/> names the connection; the app's output goes to it.</summary>
    public (int Pid, ControlChannel Control)? Launch(Socket client, byte[] switchingProtocols, WorkerStart start, ILogger log)
    {
        try
        {
            client.Send(switchingProtocols);
        }
        catch (SocketException e)
        {
            log.Debug("client {ConnectionId} left before its 101: {Error}", start.ConnectionId, e.Message);
            client.Dispose();
            return null;
        }

        int theirs = -1;
        ControlChannel? control = null;
        int outputTheirs = -1;
        Socket? output = null;
        bool addedRef = false;
        try
        {
            // Inside the try: out of descriptors (EMFILE) is answered like any failed start.
            (int mine, theirs) = FdPair.StreamSocketPair();
            control = new ControlChannel(new Socket(new SafeSocketHandle(mine, ownsHandle: true)));
            client.SafeHandle.DangerousAddRef(ref addedRef);
            int clientFd = (int)client.SafeHandle.DangerousGetHandle();
            // O_NONBLOCK belongs to the connection, not the fd, and our runtime set it; an
            // app that reads fd 3 the plain way must not meet EAGAIN. The acceptor's last
            // I/O on it was the 101 above: from here on it only closes its copy.
            BlockingMode.Set(clientFd);
            (int outputMine, outputTheirs) = FdPair.StreamSocketPair();
            output = new Socket(new SafeSocketHandle(outputMine, ownsHandle: true));
            // --limit-* bind a socket-mode app as they bind any other: through exec-app.
            var (file, argv) = AppCommand.For(start.AppPath, start.AppArgs, start.AppLimits);
            int pid = PosixSpawn.Spawn(file, argv, Environment(start),
                [
                    new FdMapping(clientFd, HandoffContract.ClientSocketFd),
                    new FdMapping(theirs, HandoffContract.ControlFd),
                    // No stdout of its own to speak on: what it prints, and its stderr,
                    // are lines for the log.
                    new FdMapping(outputTheirs, 1),
                    new FdMapping(outputTheirs, 2),
                ],
                newProcessGroup: true, stdinFromDevNull: true);
            _ = SocketAppOutput.PumpAsync(output, log);
            return (pid, control);
        }
        catch (UnixException e)
        {
            log.Error("cannot start socket-mode app {AppPath}: {Error}", start.AppPath, e.Message);
            control?.Dispose();
            output?.Dispose();
            TrySend(client, CloseCouldNotStart);
            return null;
        }
        finally
        {
            if (addedRef)
                client.SafeHandle.DangerousRelease();
            if (theirs >= 0)
                FdPair.Close(theirs);
            if (outputTheirs >= 0)
                FdPair.Close(outputTheirs);
            // Nothing pending on it: this closes the acceptor's fd only.
            client.Dispose();
        }
    }

    /// <summary>The app's environment as bytes (header values need not be UTF-8), plus the
    /// socket-mode variables.</summary>
    private static List<byte[]> Environment(WorkerStart start)
    {
        var settings = start.Settings;
        var ours = new List<string>
        {
            $"{SocketFdVariable}={HandoffContract.ClientSocketFd}",
            $"{ControlFdVariable}={HandoffContract.ControlFd}",
            $"{MaxMessageVariable}={settings.MaxMessageBytes.ToString(CultureInfo.InvariantCulture)}",
            $"{PingIntervalVariable}={settings.PingSeconds.ToString(CultureInfo.InvariantCulture)}",
        };
        if (settings.Extensions is { } extensions)
            ours.Add($"{ExtensionsVariable}={extensions}");
        return [.. start.Environment, .. ours.Select(System.Text.Encoding.UTF8.GetBytes)];
    }

    private static void TrySend(Socket socket, byte[] bytes)
    {
        try
        {
            socket.Send(bytes);
        }
        catch (SocketException)
        {
            // Gone already: nobody to tell.
        }
    }
}
