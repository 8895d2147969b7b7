using Serilog;
using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// The app executable, CGI-style: its stdin, stdout and stderr are pipes to this worker.
/// It runs in a process group of its own, so the terminal's Ctrl-C reaches the acceptor
/// alone, and a stop signal reaches the app's own children too.
/// </summary>
public sealed class AppProcess : IDisposable
{
    private AppProcess(int pid, FdStream stdin, FdStream stdout, FdStream stderr, ILogger log)
    {
        Pid = pid;
        Stdin = stdin;
        Stdout = stdout;
        Stderr = stderr;
        (Exited, Watched) = AppWatcher.Start(pid, stderr, log);
    }

    public int Pid { get; }

    public FdStream Stdin { get; }

    public FdStream Stdout { get; }

    public FdStream Stderr { get; }

    /// <summary>Completes when the app has exited and been reaped.</summary>
    public Task<ChildExit> Exited { get; }

    /// <summary>Completes when the thread watching the app's exit and stderr is done: the
    /// app has exited and its stderr is at its end.</summary>
    public Task Watched { get; }

    /// <summary>Starts the app; throws <see cref="UnixException"/> if it cannot be (missing,
    /// not executable, a bad interpreter line, out of processes). Its stderr lines go to
    /// <paramref name="log"/>.</summary>
    public static AppProcess Start(string path, IReadOnlyList<string> args, IReadOnlyList<byte[]> environment, AppLimits limits,
        ILogger log)
    {
        var (file, argv) = AppCommand.For(path, args, limits);
        var stdin = FdPair.Pipe();
        var stdout = FdPair.Pipe();
        var stderr = FdPair.Pipe();
        int pid;
        try
        {
            pid = PosixSpawn.Spawn(file, argv, environment,
                [new FdMapping(stdin.Read, 0), new FdMapping(stdout.Write, 1), new FdMapping(stderr.Write, 2)],
                newProcessGroup: true);
        }
        catch
        {
            foreach (int fd in new[] { stdin.Write, stdout.Read, stderr.Read })
                FdPair.Close(fd);
            throw;
        }
        finally
        {
            // The child's ends: once closed here, the app holds the only copies, so its
            // exit is our EOF on stdout and our EPIPE on stdin.
            foreach (int fd in new[] { stdin.Read, stdout.Write, stderr.Write })
                FdPair.Close(fd);
        }
        return new AppProcess(pid, new FdStream(stdin.Write), new FdStream(stdout.Read), new FdStream(stderr.Read), log);
    }

    /// <summary>Signals the app's whole process group.</summary>
    public void Signal(int signal) => Processes.Signal(-Pid, signal);

    /// <summary>stdin EOF: the app's cue that the client has gone.</summary>
    public void CloseStdin() => Stdin.Dispose();

    public void Dispose()
    {
        Stdin.Dispose();
        Stdout.Dispose();
        Stderr.Dispose();
    }
}
