using System.Globalization;
using System.Net.WebSockets;
using Serilog;
using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Worker.Modes;

/// <summary>How one run of a cgi-mode app ended.</summary>
public enum CgiRunOutcome { Replied, TimedOut, ReplyTooLong, CouldNotStart, Cancelled }

public sealed record CgiReply(CgiRunOutcome Outcome, byte[] Output);

/// <summary>
/// One run of a cgi-mode app: the message on stdin, then EOF; the request's CGI
/// environment plus CONTENT_LENGTH and WS_MESSAGE_TYPE; everything it writes to stdout,
/// up to EOF, is the reply. The exit status does not change the reply (as a CGI script's
/// output is its response whatever its status); a non-zero one is logged. A run past
/// --cgi-timeout is killed with its process group.
/// </summary>
public static class CgiRun
{
    public const string ContentLengthVariable = "CONTENT_LENGTH";
    public const string MessageTypeVariable = "WS_MESSAGE_TYPE";

    /// <summary>When the session ends, a run in flight gets SIGTERM and this long to exit
    /// before SIGKILL (websocketd's SIGTERM → SIGKILL step).</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromMilliseconds(500);

    private const int ReadSize = 16 * 1024;

    public static async Task<CgiReply> RunAsync(WorkerStart start, byte[] message, WebSocketMessageType type,
        ILogger log, CancellationToken stop)
    {
        var settings = start.Settings;
        AppProcess app;
        try
        {
            app = AppProcess.Start(start.AppPath, start.AppArgs, Environment(start, message.Length, type), start.AppLimits, log);
        }
        catch (UnixException e)
        {
            log.Error("cannot start app {AppPath}: {Error}", start.AppPath, e.Message);
            return new CgiReply(CgiRunOutcome.CouldNotStart, []);
        }

        using (app)
        {
            // Separate threads for stdin and stdout: an app that writes before it has read
            // everything must not deadlock against a full pipe either way.
            _ = AppOutputPump.RunOnThread("cgi-stdin", () =>
            {
                try
                {
                    app.Stdin.Write(message);
                }
                catch (Exception e) when (e is UnixException or ObjectDisposedException)
                {
                    // EPIPE: the app did not read its input; its output still counts.
                }
                app.CloseStdin();
                return AppOutputPump.Outcome.EndOfOutput;
            });
            var output = new MemoryStream();
            Task<AppOutputPump.Outcome> stdout = AppOutputPump.RunOnThread("cgi-stdout",
                () => ReadAll(app.Stdout, output, settings.MaxMessageBytes));

            var timeout = TimeSpan.FromSeconds(settings.CgiTimeoutSeconds);
            Task done = Task.WhenAll(app.Exited, stdout);
            if (!await done.FinishesWithin(timeout, stop))
            {
                bool cancelled = stop.IsCancellationRequested;
                await KillAsync(app, gently: cancelled);
                if (!cancelled)
                    log.Warning("app run {AppPid} exceeded --cgi-timeout={Timeout}s and was killed", app.Pid, settings.CgiTimeoutSeconds);
                return new CgiReply(cancelled ? CgiRunOutcome.Cancelled : CgiRunOutcome.TimedOut, []);
            }
            if (stdout.Result == AppOutputPump.Outcome.LineTooLong)
            {
                await KillAsync(app, gently: false);
                return new CgiReply(CgiRunOutcome.ReplyTooLong, []);
            }
            var exit = app.Exited.Result;
            if (!exit.Succeeded)
                log.Warning("app run {AppPid} ended with {AppExit}; its output is sent as the reply", app.Pid, exit);
            else
                log.Debug("app run {AppPid} replied {Bytes} bytes", app.Pid, output.Length);
            return new CgiReply(CgiRunOutcome.Replied, output.ToArray());
        }
    }

    /// <summary>Reads to EOF; <see cref="AppOutputPump.Outcome.LineTooLong"/> once past the limit.</summary>
    private static AppOutputPump.Outcome ReadAll(FdStream stdout, MemoryStream output, int maxBytes)
    {
        byte[] buffer = new byte[ReadSize];
        int n;
        while ((n = AppOutputPump.ReadOrEof(stdout, buffer)) > 0)
        {
            if (output.Length + n > maxBytes)
                return AppOutputPump.Outcome.LineTooLong;
            output.Write(buffer, 0, n);
        }
        return AppOutputPump.Outcome.EndOfOutput;
    }

    private static async Task KillAsync(AppProcess app, bool gently)
    {
        if (gently)
        {
            app.Signal(Processes.SIGTERM);
            if (await app.Exited.FinishesWithin(StopGrace))
                return;
        }
        app.Signal(Processes.SIGKILL);
        await app.Exited.FinishesWithin(TimeSpan.FromSeconds(5));
    }

    private static List<byte[]> Environment(WorkerStart start, int length, WebSocketMessageType type) =>
    [
        .. start.Environment,
        System.Text.Encoding.ASCII.GetBytes($"{ContentLengthVariable}={length.ToString(CultureInfo.InvariantCulture)}"),
        System.Text.Encoding.ASCII.GetBytes($"{MessageTypeVariable}={(type == WebSocketMessageType.Binary ? "binary" : "text")}"),
    ];
}
