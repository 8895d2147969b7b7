using System.Runtime.InteropServices;
using Supervisor.Handoff;
using Supervisor.Logging;
using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// <c>ws-supervisor worker</c>: started by the acceptor, never by hand. Adopts the
/// client socket (fd 3) and the control channel (fd 4), reads its start frame, and
/// serves one connection.
/// </summary>
public static class WorkerMain
{
    public static int Run()
    {
        ControlChannel control;
        System.Net.Sockets.Socket client;
        WorkerStart start;
        try
        {
            client = InheritedSocket.Adopt(HandoffContract.ClientSocketFd);
            control = new ControlChannel(InheritedSocket.Adopt(HandoffContract.ControlFd));
            var frame = control.Read();
            if (frame is not { Type: FrameType.Start } startFrame)
                throw new InvalidDataException("no start frame on the control channel");
            start = WorkerStart.Decode(startFrame.Payload.Span);
        }
        catch (Exception e) when (e is UnixException or InvalidOperationException or InvalidDataException or IOException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"ws-supervisor worker: {e.Message} (workers are started by the acceptor, not by hand)");
            return 2;
        }

        using var log = LogSetup.Create("worker", start.Settings.LogLevel, start.Settings.LogJson,
            ("ConnectionId", start.ConnectionId),
            ("RemoteAddress", start.RemoteAddress),
            ("ConnectionTag", $" {start.ConnectionId} {start.RemoteAddress}"));

        // SIGTERM from anyone (the acceptor's last resort, an admin, systemd) means the
        // same as the acceptor's "going away": close 1001, stop the app, exit.
        var shutdown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            shutdown.TrySetResult();
        });

        using (control)
            new Session(start, client, control, log, shutdown.Task).RunAsync().GetAwaiter().GetResult();
        return 0;
    }
}
