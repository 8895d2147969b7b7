using System.Diagnostics;
using Supervisor.Benchmarks.Client;
using Supervisor.Benchmarks.Reporting;
using Supervisor.Benchmarks.Servers;

namespace Supervisor.Benchmarks.Metrics;

/// <summary>
/// Connections per second with <c>--rate-concurrency</c> clients (16) at once, each doing
/// connect → one echo → closing handshake, until <c>--rate-connections</c> are done: the
/// rate a burst of page loads is served at. A failed connection is counted, not retried.
/// </summary>
public static class ConnectRate
{
    public static RowSpec[] Rows(int concurrency) =>
    [
        new($"connections/s, {concurrency} at a time", "rate", "conn/s", Goal.RatioAtLeast),
        new("  server CPU per connection, whole tree (user + system)", "cpu", "ms", Goal.Info),
    ];

    public static async Task<RunResult> RunAsync(Harness harness, ServerProcess server)
    {
        int count = harness.Options.RateConnections;
        using var deadline = harness.Deadline(TimeSpan.FromSeconds(60 + count * 0.05));
        int next = -1;
        int failures = 0;
        string? firstFailure = null;

        async Task Client()
        {
            while (Interlocked.Increment(ref next) < count)
            {
                try
                {
                    var connection = await harness.Client.ConnectAsync(server.Endpoint, deadline.Token);
                    try
                    {
                        await connection.EchoAsync(Harness.Message32, deadline.Token);
                    }
                    finally
                    {
                        await connection.CloseAsync(TimeSpan.FromSeconds(2));
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, e.Message, null);
                }
            }
        }

        double cpuBefore = ProcessTree.TreeCpuSeconds(server.Pid);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Math.Min(harness.Options.RateConcurrency, count)).Select(_ => Client()));
        double seconds = clock.Elapsed.TotalSeconds;
        // Every app reaped, so its CPU has been added to its parent's.
        bool reaped = await server.WaitIdleAsync(TimeSpan.FromSeconds(20));
        double cpuSeconds = ProcessTree.TreeCpuSeconds(server.Pid) - cpuBefore;

        if (failures * 10 > count)
            return RunResult.Failed($"{failures} of {count} connections failed, first: {firstFailure}");
        var result = new RunResult();
        result.Values["rate"] = (count - failures) / seconds;
        if (reaped)
            result.Values["cpu"] = cpuSeconds * 1000 / count;
        if (failures > 0)
            result.Notes.Add($"{server.Name}: {failures} of {count} connections failed ({firstFailure})");
        return result;
    }
}
