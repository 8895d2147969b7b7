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
/// The servers take turns of <c>--turn</c> connections (<see cref="TakingTurns"/>). The raw
/// client's connections here block in their calls, on one thread, as a browser's
/// connection costs the server's machine nothing: through the socket engine each wait
/// ended in an epoll-thread wake-up and a hop to a pool thread, on the same two cores the
/// app was starting on (three full runs each way: p50 0.94–1.00× → 0.93–1.03× of
/// websocketd's, p99 0.67–1.12× → 0.69–0.80×).
/// </summary>
public static class ConnectLatency
{
    public static readonly RowSpec[] Rows =
    [
        new("connect→first echo p50, one at a time", "p50", "ms", Goal.RatioAtMost),
        new("connect→first echo p99, one at a time", "p99", "ms", Goal.RatioAtMost),
        new("connections/s, one at a time (with close)", "rate", "conn/s", Goal.Info),
    ];

    public static Task<MetricRuns> RunAsync(Harness harness, ServerProcess ours, ServerProcess theirs)
    {
        int count = harness.Options.ConnectSamples;
        int turn = Math.Min(harness.Options.Turn, count);
        ServerProcess[] both = [ours, theirs];
        return TakingTurns.RunAsync(harness, "connect latency", ours, theirs, (count + turn - 1) / turn,
            server => Task.FromResult<ITurns>(new Turns(harness, server, both, count, turn)));
    }

    private sealed class Turns(Harness harness, ServerProcess server, ServerProcess[] both, int count, int turn) : ITurns
    {
        private readonly List<double> _samples = new(count);
        private readonly CancellationTokenSource _deadline = harness.Deadline(TimeSpan.FromSeconds(60 + count * 0.1));
        private TimeSpan _timed;

        public async Task TakeTurnAsync()
        {
            // Each counted connection overlaps only the teardown of this server's connection
            // before it, as in a run taken whole: nothing of the other server's turn is left,
            // and the turn's first connection, which follows that turn (its caches are the
            // other server's), is not counted.
            foreach (var each in both)
                await each.WaitIdleAsync(TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(2));
            await OneAsync();
            long started = Stopwatch.GetTimestamp();
            for (int i = Math.Min(turn, count - _samples.Count); i > 0; i--)
                _samples.Add(await OneAsync());
            _timed += Stopwatch.GetElapsedTime(started);
        }

        public RunResult Result()
        {
            var result = new RunResult();
            result.Values["p50"] = Stats.Percentile(_samples, 50);
            result.Values["p99"] = Stats.Percentile(_samples, 99);
            result.Values["rate"] = _samples.Count / _timed.TotalSeconds;
            return result;
        }

        private async Task<double> OneAsync()
        {
            long started = Stopwatch.GetTimestamp();
            var connection = harness.Client is RawConnector
                ? await RawWebSocket.ConnectAsync(server.Endpoint, _deadline.Token, blocking: true)
                : await harness.Client.ConnectAsync(server.Endpoint, _deadline.Token);
            try
            {
                await connection.EchoAsync(Harness.Message32, _deadline.Token);
                return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            finally
            {
                await connection.CloseAsync(TimeSpan.FromSeconds(2));
            }
        }

        public ValueTask DisposeAsync()
        {
            _deadline.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
