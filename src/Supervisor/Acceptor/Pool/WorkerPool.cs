using System.Diagnostics;
using Serilog;
using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Pool;

/// <summary>
/// Workers started ahead of need, so a connection never waits for a process to start:
/// a NativeAOT worker costs ~4 ms of CPU and a few ms of wall time before it can serve,
/// more than a short connection costs to serve. Like Apache's prefork spare servers:
/// the pool keeps <c>--spare-workers</c> idle workers ready, tops up in the background
/// after each hand-out, takes a worker back when its connection ends (until it has served
/// <c>--worker-reuse</c> connections), and lets idle ones beyond the spare count go after
/// a quiet minute. Returns are kept up to <see cref="IdleCapFactor"/> times the spare
/// count: a cap near the spare count made every burst of closes retire workers that the
/// next burst of connects had to start again (measured: 65 workers started for 300
/// connections, 16 at a time, with a cap of 2×8). An empty pool still serves: the
/// connection waits for a worker started just for it.
/// </summary>
public sealed class WorkerPool(WorkerLauncher launcher, int spare, int reuseLimit, ILogger log)
{
    private static readonly TimeSpan TrimAfter = TimeSpan.FromSeconds(60);

    /// <summary>Idle workers kept, at most, per spare asked for.</summary>
    public const int IdleCapFactor = 8;

    private readonly object _gate = new();
    private readonly Dictionary<int, WorkerProcess> _all = [];
    private readonly List<WorkerProcess> _idle = []; // oldest first; handed out from the end
    private int _starting;
    private bool _stopping;
    private Timer? _trimmer;

    /// <summary>Workers alive (idle, busy or retiring), as far as the reaper has seen.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _all.Count;
        }
    }

    public int[] Pids
    {
        get
        {
            lock (_gate)
                return [.. _all.Keys];
        }
    }

    /// <summary>True for a worker of the pool's (idle, busy or retiring), false for any other
    /// pid, such as a socket-mode app's.</summary>
    public bool Owns(int pid)
    {
        lock (_gate)
            return _all.ContainsKey(pid);
    }

    /// <summary>Called with every worker that is new to the pool, to listen to what it says.</summary>
    public Action<WorkerProcess>? Started { get; set; }

    /// <summary>Starts the spares now if <paramref name="prestart"/> (not when every app runs in
    /// socket mode, which needs no workers), else on the first hand-out.</summary>
    public void Start(bool prestart)
    {
        if (prestart)
            TopUp();
        _trimmer = new Timer(_ => Trim(), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
    }

    /// <summary>An idle worker, or one started now if none is. Throws
    /// <see cref="UnixException"/> if none can be started.</summary>
    public WorkerProcess Rent()
    {
        WorkerProcess? worker = null;
        lock (_gate)
        {
            if (_idle.Count > 0)
            {
                worker = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
            }
        }
        worker ??= StartOne();
        worker.Served++;
        TopUp();
        return worker;
    }

    /// <summary>A worker whose connection is over and that said it is ready for another.</summary>
    public void Return(WorkerProcess worker)
    {
        lock (_gate)
        {
            if (!_stopping && _all.ContainsKey(worker.Pid) && worker.Served < reuseLimit && _idle.Count < IdleCapFactor * spare)
            {
                worker.IdleSinceTicks = Stopwatch.GetTimestamp();
                _idle.Add(worker);
                return;
            }
        }
        Retire(worker);
    }

    /// <summary>A worker that could not take a connection handed to it: it goes.</summary>
    public void Discard(WorkerProcess worker)
    {
        Processes.Signal(worker.Pid, Processes.SIGKILL);
        Retire(worker);
    }

    /// <summary>The reaper saw it exit: no longer ours to hand out.</summary>
    public bool Forget(int pid)
    {
        WorkerProcess? worker;
        lock (_gate)
        {
            if (!_all.Remove(pid, out worker))
                return false;
            _idle.Remove(worker);
        }
        worker.Control.Dispose();
        worker.Gate.Dispose(); // unmapped once no push holds it
        return true;
    }

    /// <summary>Shutdown: no more workers are started or kept; idle ones are told to go.</summary>
    public void Stop()
    {
        List<WorkerProcess> idle;
        lock (_gate)
        {
            _stopping = true;
            idle = [.. _idle];
            _idle.Clear();
        }
        _trimmer?.Dispose();
        idle.ForEach(Retire);
    }

    /// <summary>EOF on its control channel is a worker's cue to exit once it is idle; it
    /// then closes its end, which is how the acceptor learns it went (and reaps it).</summary>
    private static void Retire(WorkerProcess worker) => worker.Control.ShutdownSend();

    private WorkerProcess StartOne()
    {
        var (pid, control, gate) = launcher.Spawn();
        var worker = new WorkerProcess(pid, control, gate);
        lock (_gate)
            _all.Add(pid, worker);
        try
        {
            Started?.Invoke(worker);
        }
        catch (UnixException)
        {
            // Nobody would hear it say it is ready or gone: it goes, and the reaper collects it.
            Discard(worker);
            throw;
        }
        return worker;
    }

    private void TopUp()
    {
        int missing;
        lock (_gate)
        {
            missing = _stopping ? 0 : spare - _idle.Count - _starting;
            if (missing <= 0)
                return;
            _starting += missing;
        }
        ThreadPool.QueueUserWorkItem(_ =>
        {
            for (int i = 0; i < missing; i++)
            {
                WorkerProcess? worker = null;
                try
                {
                    worker = StartOne();
                }
                catch (UnixException e)
                {
                    log.Error("cannot start a spare worker: {Error}", e.Message);
                }
                lock (_gate)
                {
                    _starting--;
                    if (worker is null)
                        continue;
                    if (!_stopping)
                    {
                        worker.IdleSinceTicks = Stopwatch.GetTimestamp();
                        _idle.Add(worker);
                        continue;
                    }
                }
                Retire(worker);
            }
        });
    }

    /// <summary>After a spike, idle workers beyond the spare count that have sat for a
    /// minute go, oldest first.</summary>
    private void Trim()
    {
        List<WorkerProcess> surplus = [];
        lock (_gate)
        {
            while (_idle.Count > spare && Stopwatch.GetElapsedTime(_idle[0].IdleSinceTicks) > TrimAfter)
            {
                surplus.Add(_idle[0]);
                _idle.RemoveAt(0);
            }
        }
        surplus.ForEach(Retire);
    }
}
