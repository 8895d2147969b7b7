using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// A worker's control reader ("ws-control") and its connection threads ("ws-connection":
/// the client's receive side, the stdout pump, the app's watcher) are SCHED_BATCH, so
/// their wake-ups wait for the thread that caused them to sleep instead of preempting it:
/// the acceptor's broadcast fan-out, the app writing its reply, the client sending. The
/// worker's loop thread keeps the default policy, and so does every app, even one spawned
/// from a batch thread (posix_spawn is told to set it): the policy is the worker's
/// business, not the user's program's.
/// </summary>
public sealed class SchedulingTests
{
    private static readonly TimeSpan LogWait = TimeSpan.FromSeconds(5);

    private readonly record struct WorkerThread(int Tid, string Name, int Policy);

    [Fact]
    public async Task Worker_ControlReaderAndConnectionThreadsBatch_LoopThreadAndAppNot()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start(Paths.Fixture("sched-policy.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/sched"), cts.Token);
        await client.SendTextAsync("policy?", cts.Token);
        Assert.Equal("0", await client.ReceiveTextAsync(cts.Token)); // the app: SCHED_OTHER
        var (workerPid, appPid, _) = await server.WaitForOpenedAsync("/sched", LogWait);

        var threads = Threads(workerPid);
        Assert.Equal(ProcTree.SchedBatch, Assert.Single(threads, t => t.Name == "ws-control").Policy);
        var connection = threads.Where(t => t.Name == "ws-connection").ToList();
        Assert.True(connection.Count >= 3, $"{connection.Count} ws-connection threads: {string.Join(", ", threads)}");
        Assert.All(connection, t => Assert.Equal(ProcTree.SchedBatch, t.Policy));
        Assert.Equal(ProcTree.SchedOther, threads.Single(t => t.Tid == workerPid).Policy);
        Assert.Equal(ProcTree.SchedOther, ProcTree.SchedulingPolicy($"/proc/{appPid}/stat"));
    }

    [Fact]
    public async Task CgiApp_SpawnedFromTheBatchReceiveThread_RunsWithTheDefaultPolicy()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start("--mode=cgi", Paths.Fixture("sched-policy.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/cgi-sched"), cts.Token);

        for (int message = 1; message <= 3; message++)
        {
            await client.SendTextAsync($"policy? {message}", cts.Token);
            Assert.Equal("0\n", await client.ReceiveTextAsync(cts.Token)); // cgi mode: the whole output is the reply
        }
    }

    [Fact]
    public async Task StartedUnderSchedIdle_NoThreadTurnsBatch_TheAppInheritsIdle()
    {
        const int SchedIdle = 5;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start([Paths.Fixture("sched-policy.sh")], wrapper: ["chrt", "--idle", "0"]);
        using var client = await WsClient.ConnectAsync(server.Url("/idle"), cts.Token);

        await client.SendTextAsync("policy?", cts.Token);
        Assert.Equal(SchedIdle.ToString(System.Globalization.CultureInfo.InvariantCulture), await client.ReceiveTextAsync(cts.Token));
        var (workerPid, _, _) = await server.WaitForOpenedAsync("/idle", LogWait);
        Assert.All(Threads(workerPid), t => Assert.Equal(SchedIdle, t.Policy));
    }

    private static List<WorkerThread> Threads(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task").Select(task => new WorkerThread(
            int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture),
            File.ReadAllText($"{task}/comm").Trim(),
            ProcTree.SchedulingPolicy($"{task}/stat"))).ToList();
}
