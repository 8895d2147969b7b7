using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Supervisor.Benchmarks.Servers;

public enum ServerKind
{
    Supervisor,
    Websocketd,
}

/// <summary>How to start one server: which, its binary, the app it serves, and flags of its own
/// (the FIFO for the broadcast metric). Both servers get --address=127.0.0.1 and
/// --loglevel=error, so neither pays for logging the other does not.</summary>
public sealed record ServerSpec(ServerKind Kind, string Binary, string App, IReadOnlyList<string> ExtraArgs)
{
    public string Name => Kind == ServerKind.Supervisor ? "ws-supervisor" : "websocketd";
}

/// <summary>The server's usage error for a flag this build does not have (exit 2,
/// "unknown option"): the FIFO flags before that feature lands.</summary>
public sealed class UnsupportedOptionException(string message) : Exception(message);

/// <summary>
/// One running server on a free loopback port, with its process tree, its last lines of
/// stderr (for a failure message), and a restart for when a run leaves it wedged (websocketd
/// after a pipelining stall).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(8);
    private const int SIGTERM = 15;
    private const int SIGKILL = 9;

    private readonly ConcurrentQueue<string> _stderrTail = new();
    private Process _process = null!;

    private ServerProcess(ServerSpec spec) => Spec = spec;

    public ServerSpec Spec { get; }

    public string Name => Spec.Name;

    public IPEndPoint Endpoint { get; private set; } = null!;

    public int Pid => _process.Id;

    public static async Task<ServerProcess> StartAsync(ServerSpec spec, CancellationToken cancellation)
    {
        var server = new ServerProcess(spec);
        await server.LaunchAsync(cancellation);
        return server;
    }

    /// <summary>Stops this server's whole tree and starts it again on a new port.</summary>
    public async Task RestartAsync(CancellationToken cancellation)
    {
        await StopAsync();
        _process.Dispose();
        _stderrTail.Clear();
        await LaunchAsync(cancellation);
    }

    private async Task LaunchAsync(CancellationToken cancellation)
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, FreePort());
        var info = new ProcessStartInfo(Spec.Binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true, // and left open: neither server reads it
            UseShellExecute = false,
        };
        info.ArgumentList.Add($"--port={endpoint.Port}");
        info.ArgumentList.Add("--address=127.0.0.1");
        info.ArgumentList.Add("--loglevel=error");
        foreach (string arg in Spec.ExtraArgs)
            info.ArgumentList.Add(arg);
        info.ArgumentList.Add(Spec.App);

        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {Spec.Binary}");
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        Endpoint = endpoint;

        var started = Stopwatch.StartNew();
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                await process.WaitForExitAsync(CancellationToken.None); // the last stderr lines
                if (process.ExitCode == 2 && StderrTail.Contains("unknown option", StringComparison.OrdinalIgnoreCase))
                    throw new UnsupportedOptionException(StderrTail);
                throw new InvalidOperationException($"{Name} exited with {process.ExitCode} at start: {StderrTail}");
            }
            if (await AcceptsAsync(endpoint))
                return;
            if (started.Elapsed > ReadyTimeout)
            {
                Signal(process.Id, SIGKILL);
                throw new TimeoutException($"{Name} did not listen on {endpoint} within {ReadyTimeout.TotalSeconds} s");
            }
            await Task.Delay(20, cancellation);
        }
    }

    private void Remember(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
            return;
        _stderrTail.Enqueue(line);
        while (_stderrTail.Count > 20 && _stderrTail.TryDequeue(out _))
        {
        }
    }

    private static async Task<bool> AcceptsAsync(IPEndPoint endpoint)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await probe.ConnectAsync(endpoint, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Fails the run with the server's own words if it has died.</summary>
    public void EnsureRunning()
    {
        if (_process.HasExited)
            throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}: {StderrTail}");
    }

    public string StderrTail => string.Join(" | ", _stderrTail);

    /// <summary>Polls every <paramref name="poll"/> (25 ms unless given) until no app is left
    /// under the server (ours keeps its idle workers), up to <paramref name="timeout"/>; true
    /// if it got there.</summary>
    public async Task<bool> WaitIdleAsync(TimeSpan timeout, TimeSpan? poll = null)
    {
        var clock = Stopwatch.StartNew();
        while (AppCount() > 0)
        {
            EnsureRunning();
            if (clock.Elapsed > timeout)
                return false;
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(25));
        }
        return true;
    }

    /// <summary>How deep under the server the apps run: websocketd's are its children;
    /// ours are the workers' (the workers, spare ones included, are the children), except
    /// in socket mode.</summary>
    public int AppDepth => Spec.Kind == ServerKind.Supervisor && !Spec.ExtraArgs.Contains(SocketModeFlag) ? 2 : 1;

    /// <summary>Ours in socket mode: the app is the connection's only process, the acceptor's child.</summary>
    public const string SocketModeFlag = "--mode=socket";

    /// <summary>App processes running now: one per open connection.</summary>
    public int AppCount() => ProcessTree.CountAtDepth(Pid, AppDepth);

    /// <summary>Polls until at least <paramref name="count"/> apps run under the server (each
    /// connection's app has started), up to <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitAppsAsync(int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (AppCount() < count)
        {
            EnsureRunning();
            if (clock.Elapsed > timeout)
                return false;
            await Task.Delay(50);
        }
        return true;
    }

    /// <summary>SIGTERM (ours closes every connection with 1001 and stops its workers), then
    /// SIGKILL after a bound; then SIGKILL for anything of its tree still alive, by pid and
    /// start time, so a reused pid is never hit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
            return;
        var tree = ProcessTree.Walk(Pid, withMemory: false).Where(p => p.Depth > 0).ToList();
        Signal(Pid, SIGTERM);
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Signal(Pid, SIGKILL);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        for (int i = 0; i < 40 && tree.Any(p => ProcessTree.IsSameProcess(p.Pid, p.StartTime)); i++)
            await Task.Delay(50);
        foreach (var left in tree.Where(p => ProcessTree.IsSameProcess(p.Pid, p.StartTime)))
            Signal(left.Pid, SIGKILL);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private static void Signal(int pid, int signal) => _ = kill(pid, signal);

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int kill(int pid, int sig);
}
