using System.Diagnostics;
using System.Runtime.InteropServices;
using Serilog;
using Serilog.Core;
using Supervisor.Handoff;
using Supervisor.Logging;
using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// A worker's life: a reader thread takes frames off the control channel for as long as
/// the process lives, and this loop serves the connections they bring, one at a time.
/// Starting a NativeAOT process costs more CPU than serving a short connection, so a
/// worker that ends a connection cleanly says <see cref="FrameType.Ready"/> and waits for
/// the next instead of exiting. Nothing of one connection outlives it: the session
/// closes its socket and reaps its app before the next one starts. The worker exits
/// instead when the acceptor has gone, when it is shutting down (its "going away" or our
/// SIGTERM), or when a connection left something behind: a thread still running, a
/// descriptor still open, or more live heap than a fresh worker has.
/// </summary>
public sealed class WorkerLoop(WorkerLink link, SendGate sendGate)
{
    /// <summary>Heap (live and garbage) past which a worker collects after its connection.
    /// After its first connection a worker's heap is ~300 kB.</summary>
    private const long CollectAboveHeapBytes = 768 * 1024;

    /// <summary>Heap still live after that collection past which the worker retires
    /// instead: connections should leave nothing reachable, so more than a fresh worker's
    /// ~300 kB is something one of them left behind.</summary>
    private const long RetireAboveLiveBytes = 512 * 1024;

    /// <summary>How far above the highest descriptor open after the first connection the
    /// leak check looks: a connection's own take a dozen at most (socket, three pipes, the
    /// runtime's per-thread ones).</summary>
    private const int LeakWindow = 64;

    private sealed record Assignment(WorkerStart Start, int ClientFd, SessionLink Link);

    // The loop's thread runs the sessions' continuations and sleeps on it between them;
    // the control reader wakes it when it changes what the gate guards.
    private readonly LoopContext _loop = new();

    // Guards everything below.
    private readonly object _gate = new();
    private Assignment? _next;
    private SessionLink? _current;
    private bool _retiring;
    private Logger? _log;
    private bool[]? _openAfterFirst;

    public int Run()
    {
        // SIGTERM from anyone (the acceptor's last resort, an admin, systemd) means the
        // same as the acceptor's "going away": close 1001, stop the app, exit.
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            Retire(goAway: true);
        });
        var reader = new Thread(ReadControl) { IsBackground = true, Name = "control" };
        reader.Start();

        try
        {
            while (NextAssignment() is { } assignment)
            {
                Serve(assignment);
                lock (_gate)
                    _current = null;
                assignment.Link.End();
                if (ShouldExitAfterConnection())
                    break;
                if (!link.Write(FrameType.Ready, ReadOnlySpan<byte>.Empty))
                    break;
            }
        }
        finally
        {
            _log?.Dispose();
        }
        return 0;
    }

    private void Serve(Assignment assignment)
    {
        var start = assignment.Start;
        _log ??= LogSetup.Create("worker", start.Settings.LogLevel, start.Settings.LogJson);
        ILogger log = ConnectionLog.For(_log, start.ConnectionId, start.RemoteAddress);

        System.Net.Sockets.Socket client;
        try
        {
            client = InheritedSocket.Adopt(assignment.ClientFd);
        }
        catch (Exception e) when (e is UnixException or InvalidOperationException)
        {
            log.Error("the client socket handed over is unusable: {Error}", e.Message);
            FdPair.Close(assignment.ClientFd);
            return;
        }
        assignment.Link.Log = log;
        var session = new Session(start, client, assignment.Link, log);
        _loop.Run(session.RunAsync);
        if (!session.LeftNothingBehind)
        {
            log.Debug("retiring: a thread of the connection is still running");
            lock (_gate)
                _retiring = true;
        }
    }

    private bool ShouldExitAfterConnection()
    {
        lock (_gate)
        {
            if (_retiring)
                return true;
        }
        // A connection leaves ~25 kB of garbage (engine buffers, the start frame's strings,
        // log events), and the GC's first budget is megabytes (sized from the CPU's cache;
        // the gen0-size knobs are not honoured here), so a worker's heap grows by that much
        // per connection served. Every ~24 connections it passes the bound, and the worker
        // collects in the aggressive mode, which also gives the emptied regions back to the
        // kernel: a forced collection of the ordinary kind kept them, and busy workers grew
        // to 1.9-2.3 MB PSS; this way they stay at 0.9-1.5 MB. It costs ~1 ms; retiring
        // instead, as workers did before, cost a new worker's start and exit, ~6 ms of CPU
        // under load: 0.3 ms per connection, 12 % of the whole tree's (measured over 1,000
        // connections, 16 at a time: 3.25 -> 2.73 ms per connection).
        long heap = GC.GetTotalMemory(forceFullCollection: false);
        if (heap > CollectAboveHeapBytes)
        {
            long started = Stopwatch.GetTimestamp();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            long live = GC.GetTotalMemory(forceFullCollection: false);
            _log?.Debug("collected after its connection: heap {Heap} -> {Live} bytes in {Elapsed:F2} ms",
                heap, live, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (live > RetireAboveLiveBytes)
            {
                _log?.Debug("retiring: {Live} bytes of its heap are still live after a collection", live);
                return true;
            }
        }
        // A descriptor open now that was not after the first connection (which also opens
        // the runtime's own: epoll, its wake-up pipe) means something outlived its
        // connection, such as a pipe an app's grandchild still holds: start afresh rather
        // than carry it. New descriptors take the lowest free number, and a connection
        // uses a handful (socket, pipes), so a leak lands below the highest open one or
        // shortly above it: the numbers up to LeakWindow past it are checked.
        _openAfterFirst ??= Descriptors.OpenUpTo(Descriptors.Highest() + LeakWindow);
        bool[] open = Descriptors.OpenUpTo(_openAfterFirst.Length - 1);
        for (int fd = 0; fd < Math.Min(open.Length, _openAfterFirst.Length); fd++)
        {
            if (open[fd] && !_openAfterFirst[fd])
            {
                _log?.Debug("retiring: descriptor {Fd} ({Target}) is open, which was not after the first connection",
                    fd, new FileInfo($"/proc/self/fd/{fd}").LinkTarget);
                return true;
            }
        }
        return false;
    }

    /// <summary>The control reader: hands Start frames to the loop, messages and "going
    /// away" to the connection being served. At EOF the acceptor has gone: an idle worker
    /// exits, a busy one finishes its connection first (it is the client's, not the
    /// acceptor's), meanwhile rejoining the bus of a server started in its place, then exits.</summary>
    private void ReadControl()
    {
        // A broadcast wakes this thread in every worker, one after another as the acceptor
        // sends. As SCHED_BATCH those wake-ups no longer preempt the acceptor's fan-out loop
        // (a third of its sends did), so it finishes its sends while the other core already
        // delivers: FIFO → 1000 clients p50 34 → 27 ms, p99 50–66 → 35–50 ms. The
        // connection's own threads are batch too, for reasons of their own (DedicatedThread);
        // failing to set it (a seccomp filter, say) costs only this.
        ThreadName.SetForThisThread("ws-control");
        BatchScheduling.ForThisThread();
        try
        {
            while (link.Read() is var (frame, descriptor))
            {
                switch (frame.Type)
                {
                    case FrameType.Start when descriptor >= 0:
                        Begin(WorkerStart.Decode(frame.Payload.Span), descriptor);
                        break;
                    case FrameType.Text:
                        if (CurrentLink() is { } current)
                            current.Deliver(frame.Payload);
                        else
                            sendGate.CountDelivered();
                        break;
                    case FrameType.GoingAway:
                        Retire(goAway: true);
                        break;
                    default:
                        if (descriptor >= 0)
                            FdPair.Close(descriptor);
                        break;
                }
            }
        }
        catch (Exception e) when (e is UnixException or InvalidDataException)
        {
            Console.Error.WriteLine($"ws-supervisor worker: control channel failed: {e.Message}");
        }
        Retire(goAway: false);
        RejoinTheBus();
    }

    /// <summary>The acceptor has gone but the connection goes on: until it ends, this
    /// thread brings it back onto the bus of a server started in the acceptor's place.</summary>
    private void RejoinTheBus()
    {
        if (CurrentLink() is not { } serving || serving.ControlSocketPath is not { } control)
            return;
        try
        {
            new BusRejoin(serving, control, () => CurrentLink() == serving, () => Retire(goAway: true)).Run();
        }
        catch (Exception e)
        {
            // A bug met while rejoining must cost the bus only: an exception leaving this
            // thread would end the process, and with it the client's connection.
            serving.Log?.Error(e, "internal error rejoining the bus; the connection carries on without it");
        }
    }

    private void Begin(WorkerStart start, int clientFd)
    {
        // Before this connection's first message is read (this is the reader's thread).
        sendGate.ResetDelivered();
        var sessionLink = new SessionLink(link, sendGate, start);
        lock (_gate)
        {
            if (_retiring || _current is not null)
            {
                // Never sent by a sound acceptor; refusing keeps one connection per worker.
                FdPair.Close(clientFd);
                return;
            }
            _current = sessionLink;
            _next = new Assignment(start, clientFd, sessionLink);
        }
        _loop.Wake();
    }

    /// <summary>The next connection to serve, or null once retiring with none handed over
    /// (one handed over just before still gets served, and its 1001 if going away).</summary>
    private Assignment? NextAssignment()
    {
        _loop.RunUntil(() =>
        {
            lock (_gate)
                return _next is not null || _retiring;
        });
        lock (_gate)
        {
            var next = _next;
            _next = null;
            return next;
        }
    }

    private SessionLink? CurrentLink()
    {
        lock (_gate)
            return _current;
    }

    /// <summary>No more connections; the loop ends after the current one, which closes
    /// now with 1001 if <paramref name="goAway"/>.</summary>
    private void Retire(bool goAway)
    {
        SessionLink? current;
        lock (_gate)
        {
            _retiring = true;
            current = _current;
        }
        _loop.Wake();
        if (goAway)
            current?.GoAway();
    }
}
