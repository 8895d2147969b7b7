using System.Buffers;
using System.Text;
using Serilog;
using Supervisor.Protocol.Lines;
using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// The app's stderr (each line to the log) and its exit, watched by one thread sleeping in
/// poll(2) on the stderr pipe and the app's pidfd. A reader thread for stderr and another
/// blocked in waitpid cost a connection one more park, wake-up and hand-back, ~3 context
/// switches. The exit is reported the moment the pidfd turns readable; stderr is read on
/// to its end, which may come later (a grandchild holding it) or never, as before. waitpid
/// reaps it, for the exact status; neither depends on SIGCHLD, which the runtime may claim
/// for itself. Without a pidfd (a kernel before 5.3, no descriptor left) the exit is
/// waited for on a thread of its own.
/// </summary>
internal static class AppWatcher
{
    /// <summary>Longest stderr line logged whole; a longer one is dropped, logging goes on.</summary>
    private const int MaxLineBytes = 64 * 1024;

    private const int ReadSize = 4096;

    /// <summary>Starts watching; <c>Exited</c> completes when the app has exited and been
    /// reaped, <c>Ended</c> when the watching thread is done (stderr at its end too).</summary>
    public static (Task<ChildExit> Exited, Task Ended) Start(int pid, FdStream stderr, ILogger log)
    {
        var pidfd = PidFd.TryOpen(pid, out var failure);
        if (pidfd is null)
        {
            log.Debug("no pidfd for app {AppPid} ({Error}): a thread of its own waits for its exit", pid, failure?.Message);
            Task<ChildExit> waited = DedicatedThread.Run("app-wait", () => Processes.Wait(pid));
            return (waited, DedicatedThread.Run("app-stderr", () => Watch(pid, null, stderr, log, null)));
        }
        var exited = new TaskCompletionSource<ChildExit>();
        return (exited.Task, DedicatedThread.Run("app-watch", () => Watch(pid, pidfd, stderr, log, exited)));
    }

    /// <summary>The watching thread's loop. <paramref name="pidfd"/> and
    /// <paramref name="exited"/> are both null when another thread waits for the exit.</summary>
    private static bool Watch(int pid, PidFd? pidfd, FdStream stderr, ILogger log, TaskCompletionSource<ChildExit>? exited)
    {
        var splitter = new LineSplitter(MaxLineBytes);
        void Log(ReadOnlyMemory<byte> line) => log.Information("app stderr: {AppStderr}", Encoding.UTF8.GetString(line.Span));

        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        bool stderrOpen = true;
        bool exitPending = pidfd is not null;
        try
        {
            while (stderrOpen || exitPending)
            {
                var (stderrReady, exitReady) = ReadinessPoll.Wait(stderrOpen ? stderr.Fd : -1, exitPending ? pidfd!.Fd : -1);
                if (exitReady)
                {
                    exitPending = false;
                    exited!.SetResult(Processes.Wait(pid)); // exited, so this returns at once
                }
                if (!stderrReady)
                    continue;
                int n = AppOutputPump.ReadOrEof(stderr, buffer);
                if (n == 0)
                {
                    stderrOpen = false;
                    splitter.Flush(Log);
                }
                else if (!splitter.Feed(buffer.AsSpan(0, n), Log))
                {
                    splitter = new LineSplitter(MaxLineBytes); // drop an endless line, keep logging
                }
            }
            return true;
        }
        catch (Exception e)
        {
            exited?.TrySetException(e); // nobody waits forever for an exit this thread will not see
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            pidfd?.Dispose();
        }
    }
}
