using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// A worker's control-channel reader is SCHED_BATCH: a broadcast wakes one in every worker,
/// and as batch threads those wake-ups wait for the acceptor's fan-out loop instead of
/// preempting it a thousand times. Nothing that serves the client is batch: the worker's
/// other threads and the app keep the default policy.
/// </summary>
public sealed class SchedulingTests
{
    [Fact]
    public async Task Worker_OnlyTheControlReaderIsBatch_TheAppIsNot()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/sched"), cts.Token);
        await client.AssertEchoesAsync("hello", cts.Token);
        var (workerPid, appPid, _) = await server.WaitForOpenedAsync("/sched", TimeSpan.FromSeconds(5));

        var policies = Directory.GetDirectories($"/proc/{workerPid}/task").Select(task => ProcTree.SchedulingPolicy($"{task}/stat")).ToList();
        Assert.Equal(1, policies.Count(p => p == ProcTree.SchedBatch));
        Assert.Equal(policies.Count - 1, policies.Count(p => p == ProcTree.SchedOther));
        Assert.Equal(ProcTree.SchedOther, ProcTree.SchedulingPolicy($"/proc/{appPid}/stat"));
        await client.AssertEchoesAsync("still echoing", cts.Token);
    }
}
