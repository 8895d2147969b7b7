using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Serilog;
using Supervisor.Acceptor.Admission;
using Supervisor.Acceptor.Auth;
using Supervisor.Acceptor.Bus;
using Supervisor.Acceptor.Channels;
using Supervisor.Acceptor.Pool;
using Supervisor.Acceptor.SelfChecks;
using Supervisor.Handoff;
using Supervisor.Options;
using Supervisor.Unix;

namespace Supervisor.Acceptor;

/// <summary>
/// The acceptor process: binds, accepts, hands every connection to <see cref="UpgradeHandler"/>,
/// and on SIGTERM, SIGINT or SIGHUP stops accepting, asks every worker to close with 1001,
/// waits up to --shutdown-timeout, and kills what is left.
/// </summary>
public sealed class AcceptorHost(ServerOptions options, ILogger log)
{
    private readonly WorkerRegistry _registry = new();

    public int Run()
    {
        using var systemd = SystemdNotify.TakeFromEnvironment(log); // before any child can inherit it
        ulong fdLimit = FileDescriptorLimit.RaiseToHardLimit();
        var listeners = new List<Socket>();
        foreach (var address in options.Listen.Addresses)
        {
            var endpoint = new IPEndPoint(address, options.Listen.Port);
            try
            {
                listeners.Add(Listen(endpoint));
            }
            catch (SocketException e)
            {
                Console.Error.WriteLine($"ws-supervisor: {ListenFailure.Describe(endpoint, Url(endpoint), e)}");
                listeners.ForEach(l => l.Dispose());
                return 1;
            }
        }

        GlobalFifo? fifo;
        ControlServer? control;
        try
        {
            fifo = options.Bus.FifoPath is { } fifoPath ? GlobalFifo.Open(options.Bus, fifoPath, log) : null;
            control = options.Bus.ControlPath is { } controlPath ? ControlServer.Bind(options.Bus, controlPath) : null;
            PrivilegeDrop.Apply(options, log); // last thing as root: everything root-only is done
        }
        catch (Exception e) when (e is StartupException or UnixException or IOException or SocketException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"ws-supervisor: {e.Message}");
            listeners.ForEach(l => l.Dispose());
            return 1;
        }

        var pool = new WorkerPool(new WorkerLauncher(nonDumpable: options.Privileges.User is not null), options.Limits.SpareWorkers, options.Limits.WorkerReuse, log);
        var reaper = new Reaper(_registry, pool, log);
        var poller = new ChannelPoller(log);
        var reports = new WorkerReports(_registry, pool, reaper, poller);
        pool.Started = reports.Listen;
        var broadcaster = new Broadcaster(_registry);
        var auth = options.Auth.Program is null ? null : new AuthProgram(options.Auth);
        var readiness = new ClientReadiness(log);
        var handler = new UpgradeHandler(options, new AppRouter(options.App), _registry, pool, reports, auth, readiness, log);
        using var reserve = new DescriptorReserve(log);
        using var stopping = new CancellationTokenSource();
        using var onChild = PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => reaper.Poke());
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => StopOn(context, stopping));
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => StopOn(context, stopping));
        // A closed terminal (or an admin's kill -HUP) ended the process on the spot at the
        // default action: no 1001 for the clients, control.sock left behind. There is no
        // configuration to reload, so it means what it means to a foreground program: stop.
        using var onHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => StopOn(context, stopping));
        // After the privilege drop: spare workers run as the --user account.
        pool.Start(prestart: options.App.Directory is not null || options.Modes.Mode != AppMode.Socket);

        foreach (var listener in listeners)
            log.Information("Listening on {Url:l} serving {What:l}", Url((IPEndPoint)listener.LocalEndPoint!), Describe(options.App));
        if (options.App.StaticDirectory is { } staticDir)
            log.Information("Static files from {Dir} at {Url:l}", staticDir, Url((IPEndPoint)listeners[0].LocalEndPoint!).Replace("ws://", "http://"));
        log.Information("File descriptor limit {FdLimit}: room for about {Connections} open connections",
            fdLimit, ResourceCheck.ConnectionCapacity(fdLimit));
        AdmissionLog.Describe(options, log);
        if (fifo is not null)
        {
            fifo.Start(options.Session.MaxMessageBytes, text => broadcaster.SendToAll(text), log);
            log.Information("Global FIFO {Fifo}: every line written to it goes to every client", fifo.Path);
        }
        if (control is not null)
        {
            control.Start(new ControlCommands(_registry, broadcaster, options.Session.MaxMessageBytes),
                new Adoptions(_registry, poller, log), options.Session.MaxMessageBytes, log);
            log.Information("Control socket {Control} (try: {StatusCommand})", control.Path, RunPaths.StatusCommand(control.Path));
        }
        SelfCheck.Run(options, fdLimit, fifo?.Path, control?.Path, log);
        systemd?.Ready($"Listening on {string.Join(", ", listeners.Select(l => Url((IPEndPoint)l.LocalEndPoint!)))}");

        var outOfDescriptors = new OutOfDescriptorsAnswer(options, readiness, log);
        var accepting = listeners.Select(l => AcceptThread.Start(l, handler, reserve, outOfDescriptors, log)).ToList();
        stopping.Token.WaitHandle.WaitOne();
        systemd?.Stopping();

        accepting.ForEach(a => a.Stop());
        listeners.ForEach(l => l.Dispose());
        control?.Dispose();
        ShutDownWorkers(pool, reaper);
        fifo?.Dispose(); // the FIFO file itself stays: writers keep its path across restarts
        return 0;
    }

    /// <summary>How long the reaper gets to collect what SIGKILL ended at --shutdown-timeout,
    /// which the kernel does at once unless a process is stuck in the kernel itself.</summary>
    private static readonly TimeSpan KilledReapBound = TimeSpan.FromSeconds(2);

    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    private static Socket Listen(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A restart must be able to bind while the last run's connections sit in
            // TIME_WAIT; without SO_REUSEADDR the port is "in use" for a minute. Set raw:
            // .NET's ReuseAddress option also sets SO_REUSEPORT on Linux, which would let
            // a second server bind the same busy port and silently take half its clients.
            socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            socket.Bind(endpoint);
            socket.Listen(511);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void ShutDownWorkers(WorkerPool pool, Reaper reaper)
    {
        var started = DateTime.UtcNow;
        pool.Stop(); // idle workers go at once; busy ones are asked below
        var workers = _registry.All.ToList();
        log.Information("Shutting down: asking {Count} workers to close with 1001 (going away)", workers.Count);
        byte[] goingAway = new ControlFrame(FrameType.GoingAway, ReadOnlyMemory<byte>.Empty).Encode();
        foreach (var worker in workers)
        {
            // A worker whose queue is full is stalled on its client; SIGTERM means the same
            // to a worker and needs no queue.
            if (worker.Outbox.TryPost(goingAway) != WorkerOutbox.PostResult.Queued)
                Processes.Signal(worker.Pid, Processes.SIGTERM);
        }

        var deadline = started + options.Limits.ShutdownTimeout;
        while ((_registry.Count > 0 || pool.Count > 0) && DateTime.UtcNow < deadline)
        {
            reaper.Poke();
            Thread.Sleep(50);
        }

        // Killed here, reaped by the reaper alone: a waitpid here too raced it, which then
        // found ECHILD and logged a serving worker as "idle … exit code -1".
        var serving = _registry.All.Where(w => pool.Owns(w.Pid)).ToList();
        var servingPids = serving.Select(w => w.Pid).ToHashSet();
        var idle = pool.Pids.Where(pid => !servingPids.Contains(pid)).ToList();
        foreach (var worker in serving)
        {
            reaper.KilledAtShutdown(worker.Pid);
            KillWithItsApp(worker);
        }
        foreach (int pid in idle)
        {
            reaper.KilledAtShutdown(pid);
            Processes.Signal(pid, Processes.SIGKILL);
        }
        var adopted = _registry.All.Where(w => w.Adopted).ToList();
        foreach (var worker in adopted)
        {
            // Another acceptor's child: killed, but not ours to wait for.
            KillWithItsApp(worker);
            _registry.TryRemove(worker.Pid, out _);
        }
        // Socket-mode apps too are reaped by the reaper alone, which logs their connection's end.
        var socketApps = _registry.All.Where(w => !servingPids.Contains(w.Pid)).ToList();
        foreach (var app in socketApps)
            KillWithItsApp(app);
        var reaped = DateTime.UtcNow + KilledReapBound;
        while ((_registry.Count > 0 || pool.Count > 0) && DateTime.UtcNow < reaped)
        {
            reaper.Poke();
            Thread.Sleep(10);
        }
        int killed = serving.Count + idle.Count + adopted.Count + socketApps.Count;
        int elapsed = (int)(DateTime.UtcNow - started).TotalMilliseconds;
        // The time it took, not the timeout: a clean stop takes milliseconds, and naming the
        // timeout there read as a wait of that long.
        if (killed == 0)
            log.Information("Stopped in {Elapsed} ms: every worker closed", elapsed);
        else
            log.Information("Stopped in {Elapsed} ms: {Killed} workers still running at --shutdown-timeout ({Timeout} s) were killed",
                elapsed, killed, options.Limits.ShutdownTimeout.TotalSeconds);
    }

    private void StopOn(PosixSignalContext context, CancellationTokenSource stopping)
    {
        context.Cancel = true;
        if (!stopping.IsCancellationRequested)
            log.Information("{Signal} received", context.Signal);
        stopping.Cancel();
    }

    /// <summary>SIGKILL for a worker (or a socket-mode app) and its app's process group.</summary>
    private static void KillWithItsApp(WorkerEntry worker)
    {
        Processes.Signal(worker.Pid, Processes.SIGKILL);
        if (worker.AppPid > 0)
            Processes.Signal(-worker.AppPid, Processes.SIGKILL);
    }

    private static string Url(IPEndPoint endpoint) =>
        endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"ws://[{endpoint.Address}]:{endpoint.Port}/" : $"ws://{endpoint}/";

    private static string Describe(AppOptions app) =>
        app.Command is not null ? app.Command : $"every executable in {app.Directory} at /NAME";
}
