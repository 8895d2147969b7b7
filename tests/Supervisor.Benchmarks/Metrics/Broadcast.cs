using System.Buffers.Text;
using System.Diagnostics;
using System.Text;
using Supervisor.Benchmarks.Client;
using Supervisor.Benchmarks.Reporting;
using Supervisor.Benchmarks.Servers;

namespace Supervisor.Benchmarks.Metrics;

/// <summary>
/// Ours only: a line written into the global FIFO, timed until every one of
/// <c>--broadcast-clients</c> connected clients has received it; p50/p99 over
/// <c>--broadcasts</c> lines spaced <see cref="Spacing"/> apart. The time includes the
/// client's own receiving, on the same two cores: an upper bound on the server's part.
/// </summary>
public sealed class Broadcast(string fifoPath)
{
    public static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan PerBroadcastBound = TimeSpan.FromSeconds(5);

    public const string NoFifoSupport = "n/a (no FIFO support in this build)";

    /// <summary>The table cell for <see cref="NoFifoSupport"/>; the sentence goes under the table.</summary>
    public const string NotAvailable = "n/a";

    public static RowSpec[] Rows(int clients) =>
    [
        new($"FIFO broadcast to {clients} clients, p50", "p50", "ms", Goal.Info),
        new($"FIFO broadcast to {clients} clients, p99", "p99", "ms", Goal.OursBelow, 50),
        new("  server CPU per client per line, whole tree (user + system)", "cpu", "µs", Goal.Info),
    ];

    public async Task<RunResult> RunAsync(Harness harness, ServerProcess server)
    {
        int clients = harness.Options.BroadcastClients;
        int broadcasts = harness.Options.Broadcasts;
        using var deadline = harness.Deadline(TimeSpan.FromSeconds(120 + clients * 0.1 + broadcasts * (Spacing + PerBroadcastBound).TotalSeconds));

        await using var fifo = await OpenFifoAsync(deadline.Token);
        // The raw client's connections block, so only the polled receiver reads them (see Listeners).
        var connector = harness.Client is RawConnector ? new RawConnector(blocking: true) : harness.Client;
        var connections = await harness.OpenManyAsync(server, clients, 16, deadline.Token, connector);
        var remaining = new int[broadcasts];
        Array.Fill(remaining, clients);
        var everyone = Enumerable.Range(0, broadcasts)
            .Select(_ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        string tag = Guid.NewGuid().ToString("N")[..8];
        byte[] prefix = Encoding.ASCII.GetBytes($"bench {tag} ");

        void Arrived(ReadOnlySpan<byte> message, long arrived)
        {
            if (Parse(message, prefix) is int seq && seq < broadcasts && Interlocked.Decrement(ref remaining[seq]) == 0)
                everyone[seq].TrySetResult(arrived);
        }

        var listeners = Listeners.Start(connections, Arrived, deadline.Token);
        try
        {
            var latencies = new List<double>();
            int incomplete = 0;
            double cpuBefore = ProcessTree.TreeCpuSeconds(server.Pid);
            for (int seq = 0; seq < broadcasts; seq++)
            {
                long pace = Stopwatch.GetTimestamp();
                byte[] line = Encoding.ASCII.GetBytes($"bench {tag} {seq} {pace}\n");
                long written = Stopwatch.GetTimestamp();
                await fifo.WriteAsync(line, deadline.Token);
                var done = everyone[seq].Task;
                if (await Task.WhenAny(done, Task.Delay(PerBroadcastBound, deadline.Token)) == done)
                    latencies.Add(Stopwatch.GetElapsedTime(written, done.Result).TotalMilliseconds);
                else
                {
                    // Counted at the bound, so the percentiles cannot hide it.
                    incomplete++;
                    latencies.Add(PerBroadcastBound.TotalMilliseconds);
                }
                if (listeners.Failure is { } failure)
                    throw new InvalidOperationException($"a client failed: {failure.Message}");
                var wait = Spacing - Stopwatch.GetElapsedTime(pace);
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, deadline.Token);
            }
            double cpuSeconds = ProcessTree.TreeCpuSeconds(server.Pid) - cpuBefore;
            if (incomplete == broadcasts)
                return RunResult.Failed($"none of {broadcasts} broadcasts reached all {clients} clients within {PerBroadcastBound.TotalSeconds} s");

            var result = new RunResult();
            result.Values["p50"] = Stats.Percentile(latencies, 50);
            result.Values["p99"] = Stats.Percentile(latencies, 99);
            result.Values["cpu"] = cpuSeconds * 1e6 / ((double)broadcasts * clients);
            if (incomplete > 0)
                result.Notes.Add($"{incomplete} of {broadcasts} broadcasts did not reach every client within {PerBroadcastBound.TotalSeconds} s (counted as {PerBroadcastBound.TotalMilliseconds} ms)");
            return result;
        }
        finally
        {
            await listeners.DisposeAsync();
            await Harness.CloseManyAsync(connections);
        }
    }

    /// <summary>"bench TAG SEQ TIMESTAMP" → SEQ, for this run's tag only; no allocation, as
    /// it runs once per client per line.</summary>
    private static int? Parse(ReadOnlySpan<byte> message, ReadOnlySpan<byte> prefix) =>
        message.StartsWith(prefix) && Utf8Parser.TryParse(message[prefix.Length..], out int seq, out int consumed)
            && consumed > 0 && seq >= 0
            ? seq
            : null;

    /// <summary>The server holds the FIFO open read-write, so opening it for writing does not
    /// block while it runs; bounded anyway, for a build where it does not.</summary>
    private async Task<FileStream> OpenFifoAsync(CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(fifoPath))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(5))
                throw new FileNotFoundException($"the server did not create its FIFO at {fifoPath}");
            await Task.Delay(20, cancellation);
        }
        var open = Task.Run(() => new FileStream(fifoPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0));
        return await open.WaitAsync(TimeSpan.FromSeconds(5), cancellation);
    }
}
