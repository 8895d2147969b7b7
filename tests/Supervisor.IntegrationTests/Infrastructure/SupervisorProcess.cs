using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>
/// One running acceptor: the real binary, started with the given flags on 127.0.0.1
/// and a port the OS picks, its stderr (the acceptor's and every worker's log) captured
/// line by line. Dispose sends SIGTERM, then SIGKILL by pid if it lingers, and SIGKILLs
/// any worker or app it left behind.
/// </summary>
public sealed partial class SupervisorProcess : IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(8);

    private readonly Process _process;
    private readonly List<string> _lines;
    private readonly HashSet<ProcTree.ProcessId> _seenDescendants = [];
    private bool _disposed;

    private SupervisorProcess(Process process, List<string> lines)
    {
        _process = process;
        _lines = lines;
    }

    /// <summary>The port the acceptor reported in its Listening line.</summary>
    public int Port { get; private set; }

    /// <summary>This server's own folder for the global FIFO and the control socket, so
    /// servers of tests running side by side never share a bus.</summary>
    public string RunDir { get; private set; } = "";

    public string FifoPath => Path.Combine(RunDir, "global.fifo");

    public string ControlPath => Path.Combine(RunDir, "control.sock");

    public int Pid => _process.Id;

    /// <summary>Every stderr line so far.</summary>
    public IReadOnlyList<string> StderrLines
    {
        get
        {
            lock (_lines)
                return _lines.ToArray();
        }
    }

    public string Stderr => string.Join('\n', StderrLines);

    public Uri Url(string pathAndQuery = "/") => new($"ws://127.0.0.1:{Port}{pathAndQuery}");

    /// <summary>Starts <c>ws-supervisor --port=0 --run-dir=TEMP ARGS</c> (no --port may be in
    /// <paramref name="args"/>; a --run-dir there replaces the temporary one) and waits, at
    /// most 10 s, for its Listening line. <paramref name="binary"/> runs a copy of the binary
    /// under test instead (one another user can reach, say). <paramref name="port"/> other than 0
    /// binds that port instead (a restart on the same port, a port a proxy config names).
    /// <paramref name="wrapper"/> runs the binary through a command that execs it (prlimit).</summary>
    public static SupervisorProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        IReadOnlyList<string>? wrapper = null, string? binary = null, int port = 0)
    {
        var list = args.ToList();
        if (list.Any(a => a.StartsWith("--port", StringComparison.Ordinal)))
            throw new ArgumentException("the helper chooses the port", nameof(args));

        string? runDir = list.FirstOrDefault(a => a.StartsWith("--run-dir=", StringComparison.Ordinal))?["--run-dir=".Length..];
        if (runDir is null)
        {
            runDir = Directory.CreateTempSubdirectory("ws-supervisor-test-").FullName;
            list.Insert(0, $"--run-dir={runDir}");
        }
        var server = Launch([$"--port={port}", .. list], environment, wrapper, binary);
        server.RunDir = runDir;
        if (server.TryWaitForListening(out int boundPort, out string why))
        {
            server.Port = boundPort;
            return server;
        }
        string log = server.Stderr;
        server.Dispose();
        throw new InvalidOperationException($"ws-supervisor did not start ({why}); its stderr:\n{log}");
    }

    public static SupervisorProcess Start(params string[] args) => Start((IEnumerable<string>)args);

    /// <summary>Runs the binary to completion (for usage errors), bounded by <paramref name="timeout"/>.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunToExit(IEnumerable<string> args, TimeSpan timeout)
    {
        using var process = new Process { StartInfo = StartInfo(args, null) };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill();
            process.WaitForExit(TimeSpan.FromSeconds(5));
            throw new TimeoutException($"ws-supervisor {string.Join(' ', args)} did not exit within {timeout}");
        }
        Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(5));
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Waits for a log line matching <paramref name="pattern"/>; fails the test
    /// with the whole log if none comes within <paramref name="timeout"/>.</summary>
    public async Task<Match> WaitForLogAsync(Regex pattern, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (string line in StderrLines)
            {
                if (pattern.Match(line) is { Success: true } match)
                    return match;
            }
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"no log line matching /{pattern}/ within {timeout}; the log:\n{Stderr}");
            await Task.Delay(20);
        }
    }

    /// <summary>The pid of the worker serving <paramref name="path"/>, from its
    /// "connection opened" line (use a path unique to the test's connection).</summary>
    public async Task<(int WorkerPid, int AppPid, string ConnectionId)> WaitForOpenedAsync(string path, TimeSpan timeout)
    {
        var match = await WaitForLogAsync(
            new Regex($@"worker\[\d+\] (?<id>\S+) \S+ connection opened: {Regex.Escape(path)} worker=(?<worker>\d+) app=(?<app>\d+)"),
            timeout);
        return (int.Parse(match.Groups["worker"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["app"].Value, CultureInfo.InvariantCulture), match.Groups["id"].Value);
    }

    /// <summary>Every worker process right now, idle spares included: children of the
    /// acceptor running "worker".</summary>
    public IReadOnlyList<ProcTree.Stat> AllWorkers() =>
        ProcTree.Children(Pid).Where(c => ProcTree.CommandLine(c.Pid).EndsWith(" worker", StringComparison.Ordinal)).ToList();

    /// <summary>The workers serving a connection right now: those with an app running (true
    /// of line, binary and exact modes once the app has started). Idle spares have none.</summary>
    public IReadOnlyList<ProcTree.Stat> ServingWorkers() =>
        AllWorkers().Where(w => ProcTree.Children(w.Pid).Count > 0).ToList();

    public bool Signal(int signal) => Signals.Send(Pid, signal);

    public bool HasExited => _process.HasExited;

    /// <summary>Waits for the acceptor to exit; its exit code, or null on timeout.</summary>
    public int? WaitForExit(TimeSpan timeout)
    {
        RememberDescendants();
        var deadline = DateTime.UtcNow + timeout;
        while (!_process.WaitForExit(TimeSpan.FromMilliseconds(50)))
        {
            if (DateTime.UtcNow >= deadline)
                return null;
            RememberDescendants();
        }
        return _process.ExitCode;
    }

    /// <summary>Records the current workers and apps, so Dispose can kill them even after
    /// the acceptor has gone and they have been re-parented.</summary>
    public void RememberDescendants()
    {
        if (_process.HasExited)
            return;
        var found = ProcTree.Descendants(Pid);
        lock (_seenDescendants)
            _seenDescendants.UnionWith(found);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            RememberDescendants();
            if (!_process.HasExited)
            {
                Signals.Send(Pid, Signals.SIGTERM);
                if (WaitForExit(StopTimeout) is null)
                {
                    Signals.Send(Pid, Signals.SIGKILL);
                    _process.WaitForExit(TimeSpan.FromSeconds(5));
                }
            }
            ProcTree.ProcessId[] leftovers;
            lock (_seenDescendants)
                leftovers = _seenDescendants.ToArray();
            foreach (var id in leftovers)
            {
                if (ProcTree.IsSameProcess(id))
                    Signals.Send(id.Pid, Signals.SIGKILL);
            }
        }
        finally
        {
            _process.Dispose();
            if (RunDir.Contains("ws-supervisor-test-", StringComparison.Ordinal))
                TryDelete(RunDir);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private static SupervisorProcess Launch(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment,
        IReadOnlyList<string>? wrapper, string? binary)
    {
        var process = new Process { StartInfo = StartInfo(args, environment, wrapper, binary) };
        var lines = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (lines)
                lines.Add(e.Data);
        };
        process.Start();
        process.StandardInput.Close();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return new SupervisorProcess(process, lines);
    }

    /// <param name="wrapper">A command that execs the rest in the same process, such as
    /// <c>prlimit --nofile=N:N</c>: the pid stays the acceptor's.</param>
    /// <param name="binary">The binary to run instead of <see cref="Paths.Binary"/>.</param>
    private static ProcessStartInfo StartInfo(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment,
        IReadOnlyList<string>? wrapper = null, string? binary = null)
    {
        binary ??= Paths.Binary;
        var info = new ProcessStartInfo(wrapper is { Count: > 0 } ? wrapper[0] : binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Paths.RepoRoot,
        };
        if (wrapper is { Count: > 0 })
        {
            foreach (string arg in wrapper.Skip(1))
                info.ArgumentList.Add(arg);
            info.ArgumentList.Add(binary);
        }
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
                info.Environment[name] = value;
        }
        return info;
    }

    private bool TryWaitForListening(out int port, out string why)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (string line in StderrLines)
            {
                if (ListeningLine().Match(line) is { Success: true } match)
                {
                    port = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                    why = "";
                    return true;
                }
            }
            if (_process.HasExited)
            {
                _process.WaitForExit(); // lets the stderr reader finish
                port = 0;
                why = $"exited with {_process.ExitCode} before listening";
                return false;
            }
            Thread.Sleep(10);
        }
        port = 0;
        why = $"no Listening line within {StartTimeout}";
        return false;
    }

    // Text: Listening on ws://127.0.0.1:PORT/ ...; JSON renders the URL quoted (\"ws://...).
    [GeneratedRegex(@"Listening on \\?""?ws://127\.0\.0\.1:(\d+)/")]
    private static partial Regex ListeningLine();
}
