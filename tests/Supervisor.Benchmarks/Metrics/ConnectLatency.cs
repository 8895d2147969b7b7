using System.Diagnostics;
using Supervisor.Benchmarks.Client;
using Supervisor.Benchmarks.Reporting;
using Supervisor.Benchmarks.Servers;

namespace Supervisor.Benchmarks.Metrics;

/// <summary>
/// Connect latency, one connection at a time: from the start of the TCP connect to the
/// echo of the first message — handshake, handoff, app start and one round trip, which is
/// what a browser waits for before its page is live. The close is not timed, but the next
/// connect does not wait for the last one's teardown, as a stream of visitors would not.
/// </summary>
public static class ConnectLatency
{
    public static readonly RowSpec[] Rows =
    [
        new("connect→first echo p50, one at a time", "p50", "ms", Goal.RatioAtMost),
        new("connect→first echo p99, one at a time", "p99", "ms", Goal.RatioAtMost),
        new("connections/s, one at a time (with close)", "rate", "conn/s", Goal.Info),
    ];

    public static async Task<RunResult> RunAsync(Harness harness, ServerProcess server)
    {
        int count = harness.Options.ConnectSamples;
        using var deadline = harness.Deadline(TimeSpan.FromSeconds(60 + count * 0.1));
        var samples = new double[count];
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            long started = Stopwatch.GetTimestamp();
            var connection = await harness.Client.ConnectAsync(server.Endpoint, deadline.Token);
            try
            {
                await connection.EchoAsync(Harness.Message32, deadline.Token);
                samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            finally
            {
                await connection.CloseAsync(TimeSpan.FromSeconds(2));
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;

        var result = new RunResult();
        result.Values["p50"] = Stats.Percentile(samples, 50);
        result.Values["p99"] = Stats.Percentile(samples, 99);
        result.Values["rate"] = count / seconds;
        return result;
    }
}
