using System.Diagnostics;
using Supervisor.Benchmarks.Client;
using Supervisor.Benchmarks.Reporting;
using Supervisor.Benchmarks.Servers;

namespace Supervisor.Benchmarks.Metrics;

/// <summary>
/// Echo round trips under load: <c>--rtt-connections</c> connections (100), opened first and
/// not timed, then all at once each sending <c>--rtt-messages</c> messages (100) of 32 B,
/// one at a time, waiting for each echo. p50/p99 over every round trip, and messages per
/// second over the whole phase. The raw client drives every connection from one thread
/// (<see cref="PolledEcho"/>), so the load generator takes little of the two cores the
/// servers are measured on; its CPU per echo is a row of its own.
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

    public static async Task<RunResult> RunAsync(Harness harness, ServerProcess server)
    {
        int connectionCount = harness.Options.RttConnections;
        int messages = harness.Options.RttMessages;
        using var deadline = harness.Deadline(TimeSpan.FromSeconds(120 + connectionCount * (double)messages * 0.002));

        // The raw client's connections block, so only the polled echo drives them.
        bool polled = harness.Client is RawConnector;
        var connector = polled ? new RawConnector(blocking: true) : harness.Client;
        var connections = await harness.OpenManyAsync(server, connectionCount, 16, deadline.Token, connector);
        try
        {
            double cpuBefore = ProcessTree.TreeCpuSeconds(server.Pid);
            TimeSpan clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            long machineBefore = Machine.BusyTicks();
            var clock = Stopwatch.StartNew();
            double[] rtts = polled
                ? await PolledAsync(connections.Cast<RawWebSocket>().ToArray(), messages, deadline.Token)
                : await LoopedAsync(connections, messages, deadline.Token);
            double seconds = clock.Elapsed.TotalSeconds;
            double cpuSeconds = ProcessTree.TreeCpuSeconds(server.Pid) - cpuBefore;
            TimeSpan clientCpu = Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore;
            long machineTicks = Machine.BusyTicks() - machineBefore;

            var result = new RunResult();
            result.Values["p50"] = Stats.Percentile(rtts, 50);
            result.Values["p99"] = Stats.Percentile(rtts, 99);
            result.Values["rate"] = rtts.Length / seconds;
            result.Values["cpu"] = cpuSeconds * 1e6 / rtts.Length;
            result.Values["client-cpu"] = clientCpu.TotalMicroseconds / rtts.Length;
            result.Values["machine-cpu"] = machineTicks / ProcessTree.TicksPerSecond * 1e6 / rtts.Length;
            return result;
        }
        finally
        {
            await Harness.CloseManyAsync(connections);
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
