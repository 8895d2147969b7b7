using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using Serilog;
using Supervisor.Handoff;
using Supervisor.Logging;
using Supervisor.Unix;
using Supervisor.Worker.Modes;

namespace Supervisor.Worker;

/// <summary>
/// One connection, end to end: the client socket ⇄ the app's pipes, plus what the
/// acceptor sends on the control channel. Pumps run independently; the first decisive
/// event (client gone, app gone, server going away) sets the one <see cref="EndReason"/>,
/// then the session sends the close frame that reason calls for, stops the app by the
/// termination table, and logs one line.
/// </summary>
public sealed class Session(WorkerStart start, Socket client, SessionLink link, ILogger log)
{
    private static readonly TimeSpan DrainBound = TimeSpan.FromSeconds(2);

    /// <summary>How long after stdout's EOF an exit still counts as the app's way of ending
    /// (the termination table's first wait, before --closems).</summary>
    private static readonly TimeSpan ExitAfterEofGrace = TimeSpan.FromMilliseconds(100);

    /// <summary>After <see cref="RunAsync"/>: every thread it started has ended, so the
    /// worker may serve another connection.</summary>
    public bool LeftNothingBehind { get; private set; } = true;

    public async Task RunAsync()
    {
        var clock = Stopwatch.StartNew();
        var settings = start.Settings;
        BlockingSocketStream stream;
        try
        {
            stream = new BlockingSocketStream(client);
        }
        catch (IOException)
        {
            // Reset between the 101 and now: the fd is no longer a usable socket.
            client.Dispose();
            LogEnd(clock, EndReason.ClientVanished, 1006, appPid: 0, appExit: "-", stop: "-", 0, 0);
            return;
        }
        using var ownedStream = stream;
        if (!SendSwitchingProtocols(stream))
        {
            LogEnd(clock, EndReason.ClientVanished, 1006, appPid: 0, appExit: "-", stop: "-", 0, 0);
            return;
        }
        using var sharedWrites = link.ShareWrites(stream);
        using var socket = ClientEngine.Create(stream, settings);
        var idle = new IdleClock(() => link.LastPushedTicks);
        var sender = new ClientSender(socket, idle, () => link.PushedBytes);
        if (settings.Mode == AppMode.Cgi)
        {
            await new CgiSession(start, socket, sender, link, log).RunAsync(clock, idle);
            return;
        }

        AppProcess app;
        try
        {
            app = AppProcess.Start(start.AppPath, start.AppArgs, start.Environment, start.AppLimits, log);
        }
        catch (UnixException e)
        {
            // Opened and ended, as every other connection: the client had its 101.
            log.ForContext(LogSetup.AccessProperty, true)
                .Information("connection opened: {Path} worker={WorkerPid} app=0", start.RequestPath, Environment.ProcessId);
            log.Error("cannot start app {AppPath}: {Error}", start.AppPath, StartFailure.Describe(start.AppPath, e));
            await sender.CloseAsync(1011, EndReasons.CloseText(EndReason.AppCouldNotStart));
            await WaitForCloseReplyAsync(socket);
            LogEnd(clock, EndReason.AppCouldNotStart, 1011, appPid: 0, appExit: "-", stop: "-", 0, sender.BytesSent);
            return;
        }

        using (app)
        {
            link.ReportAppStarted(app.Pid, log);
            log.ForContext(LogSetup.AccessProperty, true)
                .Information("connection opened: {Path} worker={WorkerPid} app={AppPid}", start.RequestPath, Environment.ProcessId, app.Pid);

            using var stopReceiving = new CancellationTokenSource();
            var receiver = new ClientReceiver(socket, StdinSinks.For(settings.Mode, app.Stdin), settings.MaxMessageBytes, idle);
            Task<ClientReceiver.Outcome> receive = receiver.Start(stopReceiving.Token);
            Task<AppOutputPump.Outcome> stdout = StdoutPumps.Start(settings.Mode, app.Stdout, sender, settings.MaxMessageBytes, log);
            link.Attach(sender);
            Task goingAway = link.GoingAway;
            Task idleTimeout = settings.IdleSeconds > 0
                ? idle.WhenIdleAsync(TimeSpan.FromSeconds(settings.IdleSeconds), stopReceiving.Token)
                : Task.Delay(Timeout.Infinite, stopReceiving.Token);

            EndReason reason = await FirstDecisiveEventAsync(receive, stdout, app.Exited, goingAway, idleTimeout);

            if (reason is EndReason.AppExited or EndReason.AppCrashed)
            {
                await stdout.FinishesWithin(DrainBound); // every line out before the close frame
                // What stdout held decides over the exit: a broken frame then exit 0 is broken.
                reason = StdoutVerdict(stdout) ?? reason;
            }

            int? code = EndReasons.CloseCode(reason)
                ?? (reason == EndReason.ClientClosed ? ClientCloseCode(socket) : null);
            if (code is int closeCode)
                await sender.CloseAsync(closeCode, CloseText(reason, app));

            string stop = await Termination.StopAsync(app, settings.CloseMs);
            if (await Termination.StopGroupAsync(app.Pid, settings.CloseMs) is { } groupStep)
                stop = $"{stop}, the rest of its group at {groupStep}";
            if (reason is not (EndReason.ClientClosed or EndReason.ClientVanished or EndReason.ProtocolError))
                await receive.FinishesWithin(DrainBound); // the client's close reply
            stopReceiving.Cancel(); // shuts the socket down, which wakes the receive thread
            // The worker may serve another connection next: no thread of this one outlives it.
            // One still blocked (a pipe an app's grandchild holds open) makes it retire instead.
            var threads = Task.WhenAll(receive, stdout, app.Watched);
            LeftNothingBehind = await threads.FinishesWithin(DrainBound);

            string appExit = app.Exited.IsCompleted ? app.Exited.Result.ToString() : "running";
            LogEnd(clock, reason, code ?? 1006, app.Pid, appExit, stop, receiver.BytesReceived, sender.BytesSent);
        }
    }

    private static async Task<EndReason> FirstDecisiveEventAsync(
        Task<ClientReceiver.Outcome> receive, Task<AppOutputPump.Outcome> stdout, Task<ChildExit> appExited, Task goingAway,
        Task idleTimeout)
    {
        var never = new TaskCompletionSource<AppOutputPump.Outcome>().Task;
        var neverReceive = new TaskCompletionSource<ClientReceiver.Outcome>().Task;
        while (true)
        {
            Task first = await Task.WhenAny(receive, stdout, appExited, goingAway, idleTimeout);
            if (first == appExited)
                return appExited.Result.Succeeded ? EndReason.AppExited : EndReason.AppCrashed;
            if (first == goingAway)
                return EndReason.ShuttingDown;
            if (first == idleTimeout)
                return EndReason.IdleTimeout;
            if (first == stdout)
            {
                if (StdoutVerdict(stdout) is { } broken)
                    return broken;
                if (stdout.Result == AppOutputPump.Outcome.EndOfOutput)
                {
                    // The app has nothing more to say. Its exit, which closes stdout too, is
                    // seen through the pidfd a moment before or after the EOF: if it comes,
                    // its status decides the close; if not, the app is stopped.
                    if (await appExited.FinishesWithin(ExitAfterEofGrace))
                        return appExited.Result.Succeeded ? EndReason.AppExited : EndReason.AppCrashed;
                    return EndReason.AppClosedStdout;
                }
                stdout = never; // the client gone: the receive side says how
                continue;
            }
            switch (receive.Result)
            {
                case ClientReceiver.Outcome.ClientClosed: return EndReason.ClientClosed;
                case ClientReceiver.Outcome.ProtocolError: return EndReason.ProtocolError;
                case ClientReceiver.Outcome.MessageTooBig: return EndReason.MessageTooBig;
                case ClientReceiver.Outcome.UnsupportedData: return EndReason.UnsupportedData;
                case ClientReceiver.Outcome.StdinClosed:
                    receive = neverReceive; // the app stopped reading; it may still be talking
                    continue;
                default: return EndReason.ClientVanished;
            }
        }
    }

    /// <summary>The reason stdout's end calls for, if it was broken.</summary>
    private static EndReason? StdoutVerdict(Task<AppOutputPump.Outcome> stdout) =>
        !stdout.IsCompletedSuccessfully ? null : stdout.Result switch
        {
            AppOutputPump.Outcome.LineTooLong => EndReason.AppLineTooLong,
            AppOutputPump.Outcome.FramingError => EndReason.AppFramingError,
            _ => null,
        };

    /// <summary>The 101 goes first, from here: nothing the app or the bus says can overtake it.</summary>
    private bool SendSwitchingProtocols(BlockingSocketStream stream)
    {
        try
        {
            stream.Write(start.SwitchingProtocols);
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return false; // the client left while its connection was handed over
        }
    }

    private static int ClientCloseCode(WebSocket socket) =>
        socket.CloseStatus is null or WebSocketCloseStatus.Empty ? 1000 : (int)socket.CloseStatus.Value;

    private static string CloseText(EndReason reason, AppProcess app) =>
        reason == EndReason.AppCrashed && app.Exited.IsCompleted
            ? $"app failed ({app.Exited.Result})"
            : EndReasons.CloseText(reason);

    private static async Task WaitForCloseReplyAsync(WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(DrainBound);
        try
        {
            var buffer = new byte[1024];
            while (socket.State == WebSocketState.CloseSent)
                await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Gone or silent: the close has been sent, which is all we owe it.
        }
    }

    private void LogEnd(Stopwatch clock, EndReason reason, int closeCode, int appPid, string appExit, string stop, long bytesIn, long bytesOut) =>
        log.ForContext(LogSetup.AccessProperty, true).Information(
            "connection ended: {Path} worker={WorkerPid} app={AppPid} duration={DurationMs}ms in={BytesIn}B out={BytesOut}B close={CloseCode} reason={EndReason} app-exit={AppExit} stop={StopStep}",
            start.RequestPath, Environment.ProcessId, appPid, clock.ElapsedMilliseconds, bytesIn, bytesOut, closeCode, reason, appExit, stop);
}
