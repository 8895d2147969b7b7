using System.Diagnostics;
using Supervisor.Benchmarks.Reporting;
using Supervisor.Benchmarks.Servers;

namespace Supervisor.Benchmarks;

/// <summary>One server's part of a run that is taken in turns (see <see cref="TakingTurns"/>).</summary>
public interface ITurns : IAsyncDisposable
{
    /// <summary>Measures this server's next block and adds it to the run's figures.</summary>
    Task TakeTurnAsync();

    /// <summary>The run's figures, once every block is in.</summary>
    RunResult Result();
}

/// <summary>
/// A run split into short blocks that the two servers take in turn (A B, then B A, …), for
/// the metrics whose figures this machine's drift moves more than the servers differ: the
/// connect and echo latencies. Taken whole, one server's run and then the other's, the same
/// build's connect p50 moved from 3.0 to 4.7 ms between runs of one invocation, seconds
/// apart (a VM with 2–3 % steal), so a run's ratio said more about which second it fell in
/// than about the servers. Blocks of a fraction of a second put both servers in the same
/// seconds. The order flips from block to block and from run to run, so neither always
/// goes first.
/// </summary>
public static class TakingTurns
{
    /// <summary><paramref name="blocks"/> turns each per run, <c>--runs</c> runs; a server
    /// whose part fails (to start or in a block) sits out the rest of that run.</summary>
    public static async Task<MetricRuns> RunAsync(Harness harness, string title, ServerProcess ours, ServerProcess theirs,
        int blocks, Func<ServerProcess, Task<ITurns>> begin)
    {
        await harness.SettleAsync();
        var mine = new List<RunResult>();
        var others = new List<RunResult>();
        for (int run = 1; run <= harness.Options.Runs; run++)
        {
            await harness.EnsureIdleAsync(ours);
            await harness.EnsureIdleAsync(theirs);
            var clock = Stopwatch.StartNew();
            var sides = new[] { new Side(ours), new Side(theirs) };
            try
            {
                foreach (var side in sides)
                    await side.GuardAsync(harness, async () => side.Turns = await begin(side.Server));
                for (int block = 0; block < blocks; block++)
                {
                    bool oursFirst = (block + run) % 2 == 0;
                    foreach (var side in oursFirst ? sides : sides.Reverse())
                    {
                        if (side.Turns is { } turns && side.Failure is null)
                            await side.GuardAsync(harness, turns.TakeTurnAsync);
                    }
                }
            }
            finally
            {
                foreach (var side in sides)
                {
                    if (side.Turns is { } turns)
                        await turns.DisposeAsync();
                }
            }

            foreach (var (side, results) in new[] { (sides[0], mine), (sides[1], others) })
            {
                var result = side.Failure is { } failure ? RunResult.Failed(failure) : side.Turns!.Result();
                results.Add(result);
                string figures = result.Failure ?? string.Join(", ", result.Values.Select(v => $"{v.Key} {v.Value:0.###}"));
                harness.Progress($"{title}: run {run}/{harness.Options.Runs} {side.Server.Name}: {figures}");
                foreach (string note in result.Notes)
                    harness.Progress($"  note: {note}");
            }
            harness.Progress($"{title}: run {run} took {clock.Elapsed.TotalSeconds:0.0} s in {blocks} turns each");
        }
        return new MetricRuns(mine, others);
    }

    private sealed class Side(ServerProcess server)
    {
        public ServerProcess Server => server;

        public ITurns? Turns { get; set; }

        public string? Failure { get; private set; }

        public async Task GuardAsync(Harness harness, Func<Task> step)
        {
            try
            {
                await step();
            }
            catch (Exception e) when (!harness.Cancellation.IsCancellationRequested)
            {
                Failure = $"{e.GetType().Name}: {e.Message}";
            }
        }
    }
}
