using System.Diagnostics;
using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Supervisor.IntegrationTests;

/// <summary>The acceptor's cost does not grow with the connections it has handed over:
/// no client socket, control channel or thread is left behind. It holds one control
/// channel per live worker (idle spares included), so fds are counted net of those.</summary>
[Collection(LoadCollection.Name)]
public sealed class AcceptorResourceTests(ITestOutputHelper output)
{
    private const int WarmUpCycles = 20;
    private const int Cycles = 500;
    private const int FdSlack = 5;
    private const int ThreadSlack = 4;

    [Fact]
    public async Task Acceptor_FiveHundredConnectEchoCloseCycles_FdAndThreadCountsStayFlat()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));

        await CycleAsync(server, WarmUpCycles, cts.Token);
        await WaitForNoConnectionsAsync(server, cts.Token);
        int fdsBefore = ProcTree.FdCount(server.Pid) - server.AllWorkers().Count;
        int threadsBefore = ProcTree.ThreadCount(server.Pid);

        var clock = Stopwatch.StartNew();
        await CycleAsync(server, Cycles, cts.Token);
        await WaitForNoConnectionsAsync(server, cts.Token);
        int fdsAfter = ProcTree.FdCount(server.Pid) - server.AllWorkers().Count;
        int threadsAfter = ProcTree.ThreadCount(server.Pid);

        output.WriteLine($"{Cycles} cycles in {clock.ElapsedMilliseconds} ms; fds {fdsBefore} → {fdsAfter}, threads {threadsBefore} → {threadsAfter}");
        Assert.True(fdsAfter <= fdsBefore + FdSlack, $"acceptor fds grew from {fdsBefore} to {fdsAfter} over {Cycles} connections");
        Assert.True(threadsAfter <= threadsBefore + ThreadSlack, $"acceptor threads grew from {threadsBefore} to {threadsAfter} over {Cycles} connections");
    }

    private static async Task CycleAsync(SupervisorProcess server, int count, CancellationToken cancellation)
    {
        for (int i = 0; i < count; i++)
        {
            using var client = await WsClient.ConnectAsync(server.Url(), cancellation);
            await client.AssertEchoesAsync($"cycle {i}", cancellation);
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cancellation);
        }
    }

    /// <summary>Every connection over (no worker has an app) and every exited worker reaped,
    /// so the census counts the idle acceptor and its idle spares only.</summary>
    private static async Task WaitForNoConnectionsAsync(SupervisorProcess server, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (server.ServingWorkers().Count > 0 || HasZombieChildren(server.Pid))
        {
            Assert.True(DateTime.UtcNow < deadline, $"connections still served 10 s after their clients closed:\n{server.Stderr}");
            await Task.Delay(50, cancellation);
        }
        await Task.Delay(200, cancellation); // let the reaper's disposals settle
    }

    private static bool HasZombieChildren(int pid) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out int p) ? ProcTree.ReadStat(p) : null)
            .Any(s => s is { State: 'Z' } && s.ParentPid == pid);
}
