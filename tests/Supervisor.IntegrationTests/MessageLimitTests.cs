using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>What line mode cannot carry is refused with the close code that says why.</summary>
public sealed class MessageLimitTests
{
    [Fact]
    public async Task BinaryMessage_LineMode_Close1003()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/binary"), cts.Token);

        await client.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, endOfMessage: true, cts.Token);
        var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.Empty(messages);
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, status);
        await server.WaitForLogAsync(new(@"connection ended: /binary .*close=1003 reason=UnsupportedData"), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task TextMessage_OverMaxMessage_Close1009()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--max-message=1K", Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/big"), cts.Token);
        await client.AssertEchoesAsync(new string('x', 1024), cts.Token); // exactly at the limit is fine

        await client.SendTextAsync(new string('y', 1025), cts.Token);
        var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.Empty(messages);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, status);
        await server.WaitForLogAsync(new(@"connection ended: /big .*close=1009 reason=MessageTooBig"), TimeSpan.FromSeconds(5));
    }
}
