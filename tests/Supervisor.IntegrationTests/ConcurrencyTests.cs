using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>One connection, one worker, one app: the isolation the design rests on.</summary>
[Collection(LoadCollection.Name)]
public sealed class ConcurrencyTests
{
    private const int Connections = 50;

    [Fact]
    public async Task Connections_FiftyConcurrent_EachHasItsOwnWorkerAndApp()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        var clients = new ClientWebSocket[Connections];
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Connections).Select(async i =>
            {
                clients[i] = await WsClient.ConnectAsync(server.Url($"/c{i}"), cts.Token);
                await clients[i].AssertEchoesAsync($"message from client {i}", cts.Token);
            }));
            server.RememberDescendants();

            var workers = server.ServingWorkers();
            Assert.Equal(Connections, workers.Select(w => w.Pid).Distinct().Count());
            Assert.All(workers, w => Assert.Equal(server.Pid, w.ParentPid));

            var workerPids = workers.Select(w => w.Pid).ToHashSet();
            var apps = workers.SelectMany(w => ProcTree.Children(w.Pid)).ToList();
            Assert.Equal(Connections, apps.Select(a => a.Pid).Distinct().Count());
            Assert.All(apps, a => Assert.Contains(a.ParentPid, workerPids));
            Assert.All(workers, w => Assert.Single(apps, a => a.ParentPid == w.Pid));
            Assert.All(apps, a => Assert.Contains("echo.sh", ProcTree.CommandLine(a.Pid)));

            // Still all live after the census: every client echoes again.
            await Task.WhenAll(clients.Select((c, i) => c.AssertEchoesAsync($"again {i}", cts.Token)));
        }
        finally
        {
            foreach (var client in clients)
                client?.Dispose();
        }
    }
}
