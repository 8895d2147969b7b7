using System.Diagnostics;
using Supervisor.Benchmarks.Client;
using Supervisor.Benchmarks.Reporting;
using Supervisor.Benchmarks.Servers;

namespace Supervisor.Benchmarks.Metrics;

/// <summary>
/// Echo round trips under load: <c>--rtt-connections</c> connections (100), opened first and
/// not timed, then all at once each sending <c>--rtt-messages</c> messages (100) of 32 B,
/// one at a time, waiting for each echo. p50/p99 over every round trip, and messages per
/// second over the time spent echoing. Both servers' connections stay open for the run, and
/// the servers take turns (<see cref="TakingTurns"/>) of <c>--turn</c> messages on each. The
/// raw client drives every connection from one thread (<see cref="PolledEcho"/>), so the
/// load generator takes little of the two cores the servers are measured on; its CPU per
/// echo is a row of its own.
/// </summary>
public static class EchoRtt
{
    public static RowSpec[] Rows(int connections, int messages) =>
    [
        new($"echo RTT p50, {connections} conns × {messages} msgs of 32 B", "p50", "ms", Goal.RatioAtMost),
        new($"echo RTT p99, {connections} conns × {messages} msgs of 32 B", "p99", "ms", Goal.RatioAtMost),
        new("echo messages/s, same run", "rate", "msg/s", Goal.RatioAtLeast),
        new("  server CPU per echo, whole tree (user + system)", "cpu", "µs", Goal.Info),
        new("  client CPU per echo (this benchmark process)", "client-cpu", "µs", Goal.Info),
        new("  machine CPU per echo (all CPUs busy, /proc/stat)", "machine-cpu", "µs", Goal.Info),
    ];

    public static Task<MetricRuns> RunAsync(Harness harness, ServerProcess ours, ServerProcess theirs)
    {
        int messages = harness.Options.RttMessages;
        int turn = Math.Min(harness.Options.Turn, messages);
        return TakingTurns.RunAsync(harness, "echo RTT", ours, theirs, (messages + turn - 1) / turn,
            server => Turns.OpenAsync(harness, server, messages, turn));
    }

    /// <summary>One server's connections, open for the whole run (idle while the other
    /// server takes its turn), and what its turns measured.</summary>
    private sealed class Turns(Harness harness, ServerProcess server, IWsConnection[] connections,
        CancellationTokenSource deadline, int messages, int turn) : ITurns
    {
        private readonly List<double> _rtts = new(connections.Length * messages);
        private readonly RawWebSocket[]? _polled = harness.Client is RawConnector ? [.. connections.Cast<RawWebSocket>()] : null;
        private int _sentEach;
        private double _seconds;
        private double _serverCpuSeconds;
        private TimeSpan _clientCpu;
        private long _machineTicks;

        public static async Task<ITurns> OpenAsync(Harness harness, ServerProcess server, int messages, int turn)
        {
            int count = harness.Options.RttConnections;
            var deadline = harness.Deadline(TimeSpan.FromSeconds(120 + count * (double)messages * 0.002));
            try
            {
                var connections = await harness.OpenManyAsync(server, count, 16, deadline.Token, Connector(harness));
                return new Turns(harness, server, connections, deadline, messages, turn);
            }
            catch
            {
                deadline.Dispose();
                throw;
            }
        }

        /// <summary>The raw client's connections block, so only the polled echo drives them.</summary>
        private static IWsConnector Connector(Harness harness) =>
            harness.Client is RawConnector ? new RawConnector(blocking: true) : harness.Client;

        public async Task TakeTurnAsync()
        {
            int each = Math.Min(turn, messages - _sentEach);
            double cpuBefore = ProcessTree.TreeCpuSeconds(server.Pid);
            TimeSpan clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            long machineBefore = Machine.BusyTicks();
            var clock = Stopwatch.StartNew();
            double[] rtts = _polled is not null
                ? await PolledAsync(_polled, each, deadline.Token)
                : await LoopedAsync(connections, each, deadline.Token);
            _seconds += clock.Elapsed.TotalSeconds;
            _serverCpuSeconds += ProcessTree.TreeCpuSeconds(server.Pid) - cpuBefore;
            _clientCpu += Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore;
            _machineTicks += Machine.BusyTicks() - machineBefore;
            _rtts.AddRange(rtts);
            _sentEach += each;
        }

        public RunResult Result()
        {
            var result = new RunResult();
            result.Values["p50"] = Stats.Percentile(_rtts, 50);
            result.Values["p99"] = Stats.Percentile(_rtts, 99);
            result.Values["rate"] = _rtts.Count / _seconds;
            result.Values["cpu"] = _serverCpuSeconds * 1e6 / _rtts.Count;
            result.Values["client-cpu"] = _clientCpu.TotalMicroseconds / _rtts.Count;
            result.Values["machine-cpu"] = _machineTicks / ProcessTree.TicksPerSecond * 1e6 / _rtts.Count;
            return result;
        }

        public async ValueTask DisposeAsync()
        {
            await Harness.CloseManyAsync(connections);
            deadline.Dispose();
        }
    }

    private static async Task<double[]> PolledAsync(RawWebSocket[] connections, int messages, CancellationToken cancellation)
    {
        var echo = new PolledEcho(connections, Harness.Message32, messages);
        await echo.RunAsync(cancellation);
        return echo.RoundTripsMs;
    }

    /// <summary>The ClientWebSocket client (<c>--client bcl</c>): one async loop per connection.</summary>
    private static async Task<double[]> LoopedAsync(IWsConnection[] connections, int messages, CancellationToken cancellation)
    {
        var rtts = new double[connections.Length * messages];
        async Task Talk(int index)
        {
            for (int m = 0; m < messages; m++)
            {
                long sent = Stopwatch.GetTimestamp();
                await connections[index].EchoAsync(Harness.Message32, cancellation);
                rtts[index * messages + m] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            }
        }
        await Task.WhenAll(Enumerable.Range(0, connections.Length).Select(i => Task.Run(() => Talk(i))));
        return rtts;
    }
}
