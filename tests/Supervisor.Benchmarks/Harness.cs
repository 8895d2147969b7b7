using System.Diagnostics;
using Supervisor.Benchmarks.Client;
using Supervisor.Benchmarks.Reporting;
using Supervisor.Benchmarks.Servers;

namespace Supervisor.Benchmarks;

/// <summary>
/// What every metric shares: the options, the client, the cancellation (Ctrl-C), progress
/// lines on stderr, and the A B A B interleaving with both servers back to idle before
/// every run, so that neither inherits the other's leftovers or the machine's drift.
/// </summary>
public sealed class Harness(BenchOptions options, IWsConnector client, CancellationToken cancellation)
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan QuietWindow = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan QuietBound = TimeSpan.FromSeconds(10);
    private const double QuietBusyFraction = 0.10;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public BenchOptions Options => options;

    public IWsConnector Client => client;

    public CancellationToken Cancellation => cancellation;

    /// <summary>A 32-byte text message: the RTT and connect metrics' payload.</summary>
    public static readonly byte[] Message32 = "0123456789abcdefghijklmnopqrstuv"u8.ToArray();

    public void Progress(string line) => Console.Error.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.0}s] {line}");

    /// <summary>A token that ends at Ctrl-C or after <paramref name="bound"/>: every run is
    /// bounded in time as well as in count.</summary>
    public CancellationTokenSource Deadline(TimeSpan bound)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        source.CancelAfter(bound);
        return source;
    }

    /// <summary>Runs <paramref name="run"/> on ours, then on theirs, <c>--runs</c> times.</summary>
    public async Task<MetricRuns> InterleaveAsync(string title, ServerProcess ours, ServerProcess? theirs,
        Func<ServerProcess, Task<RunResult>> run)
    {
        await SettleAsync();
        var mine = new List<RunResult>();
        var others = new List<RunResult>();
        var order = new List<(ServerProcess Server, List<RunResult> Results)> { (ours, mine) };
        if (theirs is not null)
            order.Add((theirs, others));
        for (int i = 1; i <= options.Runs; i++)
        {
            foreach (var (server, results) in order)
            {
                await EnsureIdleAsync(server);
                var clock = Stopwatch.StartNew();
                RunResult result;
                try
                {
                    result = await run(server);
                }
                catch (Exception e) when (!cancellation.IsCancellationRequested)
                {
                    result = RunResult.Failed($"{e.GetType().Name}: {e.Message}");
                }
                results.Add(result);
                string figures = result.Failure ?? string.Join(", ", result.Values.Select(v => $"{v.Key} {v.Value:0.###}"));
                Progress($"{title}: run {i}/{options.Runs} {server.Name}: {figures} ({clock.Elapsed.TotalSeconds:0.0} s)");
                foreach (string note in result.Notes)
                    Progress($"  note: {note}");
            }
        }
        return new MetricRuns(mine, others);
    }

    /// <summary>Waits, up to <see cref="QuietBound"/>, until the machine is all but idle (its
    /// CPUs under <see cref="QuietBusyFraction"/> busy over <see cref="QuietWindow"/>) before
    /// a metric starts. `dotnet run`, for one, stays behind as this program's parent and
    /// compiles in the background for its first seconds: under perf, about a second of CPU
    /// in the first two, where the first connect run used to begin.</summary>
    public async Task SettleAsync()
    {
        var clock = Stopwatch.StartNew();
        double capacity = QuietWindow.TotalSeconds * Environment.ProcessorCount * ProcessTree.TicksPerSecond;
        while (clock.Elapsed < QuietBound)
        {
            long before = Machine.BusyTicks();
            await Task.Delay(QuietWindow, cancellation);
            if ((Machine.BusyTicks() - before) / capacity < QuietBusyFraction)
            {
                if (clock.Elapsed > 2 * QuietWindow)
                    Progress($"waited {clock.Elapsed.TotalSeconds:0.0} s for the machine to go quiet");
                return;
            }
        }
        Progress($"the machine is still busy after {QuietBound.TotalSeconds:0} s of waiting for it to go quiet; measuring anyway");
    }

    /// <summary>Waits until nothing of the last run is left under the server; a server that
    /// will not get there (websocketd wedged by a stall) is restarted and warmed up again.</summary>
    public async Task EnsureIdleAsync(ServerProcess server)
    {
        cancellation.ThrowIfCancellationRequested();
        if (await server.WaitIdleAsync(IdleTimeout))
            return;
        Progress($"{server.Name} still has {server.AppCount()} apps under it after {IdleTimeout.TotalSeconds} s; restarting it");
        await server.RestartAsync(cancellation);
        await WarmUpAsync(server);
    }

    /// <summary><c>--warmup</c> connections, one echo each, one at a time: page cache, the
    /// client's JIT, the server's first-connection paths.</summary>
    public async Task WarmUpAsync(ServerProcess server)
    {
        using var deadline = Deadline(TimeSpan.FromSeconds(30 + options.Warmup));
        for (int i = 0; i < options.Warmup; i++)
        {
            var connection = await client.ConnectAsync(server.Endpoint, deadline.Token);
            try
            {
                await connection.EchoAsync(Message32, deadline.Token);
            }
            finally
            {
                await connection.CloseAsync(TimeSpan.FromSeconds(2));
            }
        }
        await server.WaitIdleAsync(IdleTimeout);
    }

    /// <summary>Opens <paramref name="count"/> connections, <paramref name="concurrency"/> at a
    /// time, each echoing one message so its app is known to be running, through
    /// <paramref name="connector"/> if given, else the run's client. On any failure, closes
    /// those it opened and throws.</summary>
    public async Task<IWsConnection[]> OpenManyAsync(ServerProcess server, int count, int concurrency, CancellationToken token,
        IWsConnector? connector = null)
    {
        var connections = new IWsConnection?[count];
        int next = -1;
        async Task OpenSome()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var connection = await (connector ?? client).ConnectAsync(server.Endpoint, token);
                connections[i] = connection;
                await connection.EchoAsync(Message32, token);
            }
        }
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, count)).Select(_ => OpenSome()));
        }
        catch
        {
            await CloseManyAsync(connections.OfType<IWsConnection>().ToArray());
            throw;
        }
        return connections.Select(c => c!).ToArray();
    }

    /// <summary>Closing handshakes, 64 at a time, each bounded.</summary>
    public static async Task CloseManyAsync(IReadOnlyList<IWsConnection> connections)
    {
        int next = -1;
        async Task CloseSome()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < connections.Count)
                await connections[i].CloseAsync(TimeSpan.FromSeconds(3));
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Min(64, connections.Count)).Select(_ => CloseSome()));
    }
}
