using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Bus;

/// <summary>The chat examples in worker-scripts/: an app that writes what its client says
/// to $WS_FIFO reaches every client, its own included, with nothing else in between.</summary>
public sealed class ChatTests
{
    [Theory]
    [InlineData("chat.sh")]
    [InlineData("chat.php")]
    public async Task Chat_TwoClients_EachLineReachesBothPrefixedOnce(string script)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--dir=worker-scripts");
        using var alice = await WsClient.ConnectAsync(server.Url($"/{script}?name=alice"), cts.Token);
        using var bob = await WsClient.ConnectAsync(server.Url($"/{script}?room=1&name=bob"), cts.Token);
        await BusControl.WaitForConnectionsAsync(server, 2, TimeSpan.FromSeconds(5), cts.Token);

        await alice.SendTextAsync("hello from alice", cts.Token);
        Assert.Equal("alice: hello from alice", await alice.ReceiveTextAsync(cts.Token));
        Assert.Equal("alice: hello from alice", await bob.ReceiveTextAsync(cts.Token));

        await bob.SendTextAsync("héllo ✓ from bob", cts.Token);
        Assert.Equal("bob: héllo ✓ from bob", await bob.ReceiveTextAsync(cts.Token));
        Assert.Equal("bob: héllo ✓ from bob", await alice.ReceiveTextAsync(cts.Token));

        // Nothing else came (no echo on the app's own stdout): the next is the end marker.
        Assert.Equal("ok 2", await BusControl.RequestAsync(server.ControlPath, "broadcast end", cts.Token));
        Assert.Equal(["end"], await alice.ReceiveThroughAsync("end", cts.Token));
        Assert.Equal(["end"], await bob.ReceiveThroughAsync("end", cts.Token));
    }

    [Theory]
    [InlineData("chat.sh")]
    [InlineData("chat.php")]
    public async Task Chat_NoName_PrefixIsTheConnectionIdsStart(string script)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--dir=worker-scripts");
        using var client = await WsClient.ConnectAsync(server.Url($"/{script}?name="), cts.Token);
        string id = await BusControl.NewConnectionIdAsync(server, new List<string>(), cts.Token);

        await client.SendTextAsync("anyone here?", cts.Token);

        Assert.Equal($"{id[..6]}: anyone here?", await client.ReceiveTextAsync(cts.Token));
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
    }

    [Fact]
    public async Task Chat_LineLongerThanPipeBuf_CutToOneAtomicWrite()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--dir=worker-scripts");
        using var client = await WsClient.ConnectAsync(server.Url("/chat.sh?name=al"), cts.Token);
        await BusControl.WaitForConnectionsAsync(server, 1, TimeSpan.FromSeconds(5), cts.Token);

        await client.SendTextAsync(new string('x', 6000), cts.Token);

        // "al: " + text + "\n" is at most PIPE_BUF (4096) bytes.
        Assert.Equal("al: " + new string('x', 4096 - 5), await client.ReceiveTextAsync(cts.Token));
    }
}
