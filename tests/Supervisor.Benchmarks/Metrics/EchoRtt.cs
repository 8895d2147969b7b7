using System.Diagnostics;
using Supervisor.Benchmarks.Client;
using Supervisor.Benchmarks.Reporting;
using Supervisor.Benchmarks.Servers;

namespace Supervisor.Benchmarks.Metrics;

/// <summary>
/// Echo round trips under load: <c>--rtt-connections</c> connections (100), opened first and
/// not timed, then all at once each sending <c>--rtt-messages</c> messages (100) of 32 B,
/// one at a time, waiting for each echo. p50/p99 over every round trip, and messages per
/// second over the whole phase.
/// </summary>
public static class EchoRtt
{
    public static RowSpec[] Rows(int connections, int messages) =>
    [
        new($"echo RTT p50, {connections} conns × {messages} msgs of 32 B", "p50", "ms", Goal.RatioAtMost),
        new($"echo RTT p99, {connections} conns × {messages} msgs of 32 B", "p99", "ms", Goal.RatioAtMost),
        new("echo messages/s, same run", "rate", "msg/s", Goal.RatioAtLeast),
        new("  server CPU per echo, whole tree (user + system)", "cpu", "µs", Goal.Info),
    ];

    public static async Task<RunResult> RunAsync(Harness harness, ServerProcess server)
    {
        int connectionCount = harness.Options.RttConnections;
        int messages = harness.Options.RttMessages;
        using var deadline = harness.Deadline(TimeSpan.FromSeconds(120 + connectionCount * (double)messages * 0.002));

        var connections = await harness.OpenManyAsync(server, connectionCount, 16, deadline.Token);
        try
        {
            var rtts = new double[connectionCount * messages];
            async Task Talk(int index)
            {
                var connection = connections[index];
                for (int m = 0; m < messages; m++)
                {
                    long sent = Stopwatch.GetTimestamp();
                    await connection.EchoAsync(Harness.Message32, deadline.Token);
                    rtts[index * messages + m] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                }
            }

            long cpuBefore = ProcessTree.TreeCpuTicks(server.Pid);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, connectionCount).Select(i => Task.Run(() => Talk(i))));
            double seconds = clock.Elapsed.TotalSeconds;
            long cpuTicks = ProcessTree.TreeCpuTicks(server.Pid) - cpuBefore;

            var result = new RunResult();
            result.Values["p50"] = Stats.Percentile(rtts, 50);
            result.Values["p99"] = Stats.Percentile(rtts, 99);
            result.Values["rate"] = rtts.Length / seconds;
            result.Values["cpu"] = cpuTicks / ProcessTree.TicksPerSecond * 1e6 / rtts.Length;
            return result;
        }
        finally
        {
            await Harness.CloseManyAsync(connections);
        }
    }
}
