using System.Diagnostics;
using System.Globalization;
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
    ];

    public async Task<RunResult> RunAsync(Harness harness, ServerProcess server)
    {
        int clients = harness.Options.BroadcastClients;
        int broadcasts = harness.Options.Broadcasts;
        using var deadline = harness.Deadline(TimeSpan.FromSeconds(120 + clients * 0.1 + broadcasts * (Spacing + PerBroadcastBound).TotalSeconds));

        await using var fifo = await OpenFifoAsync(deadline.Token);
        var connections = await harness.OpenManyAsync(server, clients, 16, deadline.Token);
        var remaining = new int[broadcasts];
        Array.Fill(remaining, clients);
        var everyone = Enumerable.Range(0, broadcasts)
            .Select(_ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        string tag = Guid.NewGuid().ToString("N")[..8];
        using var stopListening = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);

        async Task Listen(IWsConnection connection)
        {
            var buffer = new byte[256];
            while (true)
            {
                int length = await connection.ReceiveAsync(buffer, stopListening.Token);
                if (length < 0)
                    return;
                long arrived = Stopwatch.GetTimestamp();
                if (Parse(buffer.AsSpan(0, Math.Min(length, buffer.Length)), tag) is int seq
                    && seq < broadcasts && Interlocked.Decrement(ref remaining[seq]) == 0)
                {
                    everyone[seq].TrySetResult(arrived);
                }
            }
        }

        var listeners = connections.Select(c => Task.Run(() => Listen(c))).ToArray();
        try
        {
            var latencies = new List<double>();
            int incomplete = 0;
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
                if (listeners.FirstOrDefault(l => l.IsFaulted) is { } broken)
                    throw new InvalidOperationException($"a client failed: {broken.Exception!.InnerException!.Message}");
                var wait = Spacing - Stopwatch.GetElapsedTime(pace);
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, deadline.Token);
            }
            if (incomplete == broadcasts)
                return RunResult.Failed($"none of {broadcasts} broadcasts reached all {clients} clients within {PerBroadcastBound.TotalSeconds} s");

            var result = new RunResult();
            result.Values["p50"] = Stats.Percentile(latencies, 50);
            result.Values["p99"] = Stats.Percentile(latencies, 99);
            if (incomplete > 0)
                result.Notes.Add($"{incomplete} of {broadcasts} broadcasts did not reach every client within {PerBroadcastBound.TotalSeconds} s (counted as {PerBroadcastBound.TotalMilliseconds} ms)");
            return result;
        }
        finally
        {
            stopListening.Cancel();
            await Task.WhenAny(Task.WhenAll(listeners), Task.Delay(TimeSpan.FromSeconds(5)));
            await Harness.CloseManyAsync(connections);
        }
    }

    /// <summary>"bench TAG SEQ TIMESTAMP" → SEQ, for this run's tag only.</summary>
    private static int? Parse(ReadOnlySpan<byte> message, string tag)
    {
        string text = Encoding.ASCII.GetString(message);
        string[] parts = text.Split(' ');
        return parts.Length >= 3 && parts[0] == "bench" && parts[1] == tag
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int seq)
            ? seq
            : null;
    }

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
