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
    private const int SchedOther = 0;
    private const int SchedBatch = 3;

    [Fact]
    public async Task Worker_OnlyTheControlReaderIsBatch_TheAppIsNot()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/sched"), cts.Token);
        await client.AssertEchoesAsync("hello", cts.Token);
        var (workerPid, appPid, _) = await server.WaitForOpenedAsync("/sched", TimeSpan.FromSeconds(5));

        var policies = Directory.GetDirectories($"/proc/{workerPid}/task").Select(task => Policy($"{task}/stat")).ToList();
        Assert.Equal(1, policies.Count(p => p == SchedBatch));
        Assert.Equal(policies.Count - 1, policies.Count(p => p == SchedOther));
        Assert.Equal(SchedOther, Policy($"/proc/{appPid}/stat"));
        await client.AssertEchoesAsync("still echoing", cts.Token);
    }

    /// <summary>Field 41 of proc(5)'s stat: the scheduling policy.</summary>
    private static int Policy(string statPath)
    {
        string stat = File.ReadAllText(statPath);
        string[] afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(afterName[41 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }
}
