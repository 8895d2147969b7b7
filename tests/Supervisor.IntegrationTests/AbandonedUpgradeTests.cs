using System.Net.Sockets;
using System.Text;
using Supervisor.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Supervisor.IntegrationTests;

/// <summary>A client that resets the connection right after its upgrade request (a
/// browser tab closed mid-connect, a port scanner) costs one worker that ends quietly:
/// no crash, no stack trace in the log.</summary>
[Collection(LoadCollection.Name)]
public sealed class AbandonedUpgradeTests(ITestOutputHelper output)
{
    private const int Attempts = 40;

    [Fact]
    public async Task Worker_ClientResetsRightAfterUpgradeRequest_EndsWithoutCrashing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        byte[] request = Encoding.ASCII.GetBytes(RawHttp.UpgradeHead("/abandoned"));

        for (int i = 0; i < Attempts; i++)
        {
            using var socket = await RawHttp.ConnectAsync(server.Port, cts.Token);
            await socket.SendAsync(request, SocketFlags.None, cts.Token);
            socket.LingerState = new LingerOption(true, 0); // close sends RST, not FIN
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (ProcTree.Descendants(server.Pid).Count > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50, cts.Token);
        await Task.Delay(300, cts.Token); // the reaper's log line for the last worker

        var crashes = server.StderrLines.Where(l => l.Contains("Unhandled exception", StringComparison.Ordinal)
            || l.Contains("ended abnormally", StringComparison.Ordinal)).ToList();
        output.WriteLine($"{crashes.Count} crash lines after {Attempts} reset connections");
        Assert.True(crashes.Count == 0, $"workers crashed when their client reset the connection:\n{server.Stderr}");
        await WsClient.AssertServerEchoesAsync(server.Url(), cts.Token);
    }
}
