using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>A worker that dies takes its own connection down and nobody else's, and the
/// acceptor holds no copy of the socket that would keep it open.</summary>
public sealed class WorkerCrashTests
{
    [Fact]
    public async Task Worker_KilledWithSigkill_OnlyItsClientLosesTheConnection()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        var others = new List<ClientWebSocket>();
        try
        {
            using var victim = await WsClient.ConnectAsync(server.Url("/victim"), cts.Token);
            await victim.AssertEchoesAsync("before", cts.Token);
            for (int i = 0; i < 4; i++)
            {
                others.Add(await WsClient.ConnectAsync(server.Url($"/bystander{i}"), cts.Token));
                await others[i].AssertEchoesAsync($"before {i}", cts.Token);
            }
            var (workerPid, _, _) = await server.WaitForOpenedAsync("/victim", TimeSpan.FromSeconds(5));
            server.RememberDescendants();

            var pendingReceive = victim.ReceiveTextAsync(cts.Token);
            Assert.True(Signals.Send(workerPid, Signals.SIGKILL));

            // The kernel closes the worker's fd; with no other copy anywhere, the client
            // sees the TCP connection end (an abort, or at most a close frame).
            var ended = await Task.WhenAny(pendingReceive, Task.Delay(TimeSpan.FromSeconds(5), cts.Token));
            Assert.True(ended == pendingReceive, "the victim's connection was still open 5 s after its worker was killed");
            var error = await Record.ExceptionAsync(() => pendingReceive);
            if (error is null)
                Assert.Null(await pendingReceive);
            else
                Assert.IsType<WebSocketException>(error);

            for (int i = 0; i < others.Count; i++)
                await others[i].AssertEchoesAsync($"after {i}", cts.Token);
            await WsClient.AssertServerEchoesAsync(server.Url("/newcomer"), cts.Token);
        }
        finally
        {
            others.ForEach(o => o.Dispose());
        }
    }
}
