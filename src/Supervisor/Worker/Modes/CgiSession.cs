using System.Diagnostics;
using System.Net.WebSockets;
using Serilog;
using Supervisor.Handoff;
using Supervisor.Logging;

namespace Supervisor.Worker.Modes;

/// <summary>
/// A cgi-mode connection: no app runs between messages, so the session is the client,
/// the runner and the bus. It ends on the client's close, a server shutdown, or a run
/// that fails the connection (past --cgi-timeout, a reply over --max-message, an app
/// that cannot start), each with one <see cref="EndReason"/>, as in <see cref="Session"/>.
/// </summary>
public sealed class CgiSession(WorkerStart start, WebSocket socket, ClientSender sender, SessionLink link, ILogger log)
{
    private static readonly TimeSpan DrainBound = TimeSpan.FromSeconds(2);

    public async Task RunAsync(Stopwatch clock, IdleClock idle)
    {
        var settings = start.Settings;
        log.ForContext(LogSetup.AccessProperty, true).Information(
            "connection opened: {Path} worker={WorkerPid} app=0 mode=cgi", start.RequestPath, Environment.ProcessId);

        using var runner = new CgiRunner(start, log);
        using var stopReceiving = new CancellationTokenSource();
        var receiver = new ClientReceiver(socket, runner, settings.MaxMessageBytes, idle);
        Task<ClientReceiver.Outcome> receive = receiver.Start(stopReceiving.Token);
        // Off the worker loop's thread: a send to a client that has stopped reading blocks,
        // and the loop must stay free to run the idle timeout that ends such a session.
        Task<CgiRunner.Outcome> replies = Task.Run(() => runner.SendRepliesAsync(sender));
        link.Attach(sender);
        Task goingAway = link.GoingAway;
        Task idleTimeout = settings.IdleSeconds > 0
            ? idle.WhenIdleAsync(TimeSpan.FromSeconds(settings.IdleSeconds), stopReceiving.Token)
            : Task.Delay(Timeout.Infinite, stopReceiving.Token);

        EndReason reason = await FirstDecisiveEventAsync(receive, replies, goingAway, idleTimeout);

        int? code = EndReasons.CloseCode(reason)
            ?? (reason == EndReason.ClientClosed ? ClientCloseCode(socket) : null);
        if (code is int closeCode)
            await sender.CloseAsync(closeCode, EndReasons.CloseText(reason));
        await runner.StopAsync();
        if (reason is not (EndReason.ClientClosed or EndReason.ClientVanished or EndReason.ProtocolError))
            await receive.FinishesWithin(DrainBound); // the client's close reply
        stopReceiving.Cancel(); // shuts the socket down, which wakes the receive thread
        await receive.FinishesWithin(DrainBound); // no thread of this connection outlives it

        log.ForContext(LogSetup.AccessProperty, true).Information(
            "connection ended: {Path} worker={WorkerPid} app=0 duration={DurationMs}ms in={BytesIn}B out={BytesOut}B close={CloseCode} reason={EndReason} runs={Runs}",
            start.RequestPath, Environment.ProcessId, clock.ElapsedMilliseconds, receiver.BytesReceived, sender.BytesSent,
            code ?? 1006, reason, runner.Runs);
    }

    private static async Task<EndReason> FirstDecisiveEventAsync(
        Task<ClientReceiver.Outcome> receive, Task<CgiRunner.Outcome> replies, Task goingAway, Task idleTimeout)
    {
        var never = new TaskCompletionSource<CgiRunner.Outcome>().Task;
        while (true)
        {
            Task first = await Task.WhenAny(receive, replies, goingAway, idleTimeout);
            if (first == goingAway)
                return EndReason.ShuttingDown;
            if (first == idleTimeout)
                return EndReason.IdleTimeout;
            if (first == replies)
            {
                switch (replies.Result)
                {
                    case CgiRunner.Outcome.TimedOut: return EndReason.CgiRunTimedOut;
                    case CgiRunner.Outcome.ReplyTooLong: return EndReason.CgiReplyTooLong;
                    case CgiRunner.Outcome.CouldNotStart: return EndReason.AppCouldNotStart;
                }
                replies = never; // the client is gone: the receive side says how
                continue;
            }
            return receive.Result switch
            {
                ClientReceiver.Outcome.ClientClosed => EndReason.ClientClosed,
                ClientReceiver.Outcome.ProtocolError => EndReason.ProtocolError,
                ClientReceiver.Outcome.MessageTooBig => EndReason.MessageTooBig,
                _ => EndReason.ClientVanished,
            };
        }
    }

    private static int ClientCloseCode(WebSocket socket) =>
        socket.CloseStatus is null or WebSocketCloseStatus.Empty ? 1000 : (int)socket.CloseStatus.Value;
}
