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

    /// <summary>How long a run's stderr may stay open after its exit (a background child
    /// holding it) before the run is settled without the rest.</summary>
    private static readonly TimeSpan StderrDrain = TimeSpan.FromSeconds(2);

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
            log.Error("cannot start app {AppPath}: {Error}", start.AppPath, StartFailure.Describe(start.AppPath, e));
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

            try
            {
                return await SettleAsync(app, stdout, output, settings, log, stop);
            }
            finally
            {
                // The stderr watcher reads on after the exit and stdout's EOF; closing its pipe
                // under it lost the last lines of 25–45% of runs.
                await app.Watched.FinishesWithin(StderrDrain);
            }
        }
    }

    private static async Task<CgiReply> SettleAsync(AppProcess app, Task<AppOutputPump.Outcome> stdout, MemoryStream output,
        SessionSettings settings, ILogger log, CancellationToken stop)
    {
        // A reply past --max-message settles the run at once: stdout is no longer read, so
        // the app, blocked on the full pipe, would otherwise hang on until --cgi-timeout.
        Task overLimit = OverLimitAsync(stdout);
        Task done = Task.WhenAll(app.Exited, stdout);
        var timeout = TimeSpan.FromSeconds(settings.CgiTimeoutSeconds);
        if (!await Task.WhenAny(done, overLimit).FinishesWithin(timeout, stop))
        {
            bool cancelled = stop.IsCancellationRequested;
            await KillAsync(app, gently: cancelled);
            if (!cancelled)
                log.Warning("app run {AppPid} exceeded --cgi-timeout={Timeout}s and was killed", app.Pid, settings.CgiTimeoutSeconds);
            return new CgiReply(cancelled ? CgiRunOutcome.Cancelled : CgiRunOutcome.TimedOut, []);
        }
        if (stdout is { IsCompleted: true, Result: AppOutputPump.Outcome.LineTooLong })
        {
            await KillAsync(app, gently: false);
            log.Warning("app run {AppPid} replied more than --max-message={MaxBytes} bytes and was killed", app.Pid, settings.MaxMessageBytes);
            return new CgiReply(CgiRunOutcome.ReplyTooLong, []);
        }
        var exit = app.Exited.Result;
        if (!exit.Succeeded)
            log.Warning("app run {AppPid} ended with {AppExit}; its output is sent as the reply", app.Pid, exit);
        else
            log.Debug("app run {AppPid} replied {Bytes} bytes", app.Pid, output.Length);
        return new CgiReply(CgiRunOutcome.Replied, output.ToArray());
    }

    /// <summary>Completes when stdout has passed the limit; never otherwise.</summary>
    private static async Task OverLimitAsync(Task<AppOutputPump.Outcome> stdout)
    {
        if (await stdout != AppOutputPump.Outcome.LineTooLong)
            await new TaskCompletionSource().Task;
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
