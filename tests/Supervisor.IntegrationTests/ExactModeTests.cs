using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;
using static Supervisor.IntegrationTests.Infrastructure.WsMessages;

namespace Supervisor.IntegrationTests;

/// <summary>--mode=exact: every message crosses the app's stdin and stdout with its type
/// and length, so nothing is lost or merged — shown with the shipped echo apps.</summary>
[Collection(LoadCollection.Name)]
public sealed class ExactModeTests
{
    [Theory]
    [InlineData("exact-echo.sh")]
    [InlineData("exact-echo.py")]
    [InlineData("exact-echo.php")]
    public async Task ExactMode_AwkwardPayloads_EchoedByteForByteWithTheirType(string app)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start("--mode=exact", "--max-message=2M", Paths.Script(app));
        using var client = await WsClient.ConnectAsync(server.Url("/exact"), cts.Token);

        foreach (var message in Awkward())
        {
            await client.SendAsync(message, cts.Token);
            AssertSame(message, await client.ReceiveMessageAsync(cts.Token));
        }

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
    }

    [Fact]
    public async Task ExactMode_MessagesSentBackToBack_NeitherMergedNorSplit()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start("--mode=exact", Paths.Script("exact-echo.py"));
        using var client = await WsClient.ConnectAsync(server.Url("/burst"), cts.Token);
        var sent = Enumerable.Range(0, 200).Select(i => i % 2 == 0 ? Message.Text($"{i}\n") : Message.Binary((byte)i, 0, 10)).ToList();

        foreach (var message in sent)
            await client.SendAsync(message, cts.Token);
        foreach (var message in sent)
            AssertSame(message, await client.ReceiveMessageAsync(cts.Token));
    }

    [Fact]
    public async Task ExactMode_DirPrefix_SelectsExactModeForThatAppOnly()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start("--dir=worker-scripts");
        using var exact = await WsClient.ConnectAsync(server.Url("/exact-echo.sh"), cts.Token);
        using var line = await WsClient.ConnectAsync(server.Url("/echo.sh"), cts.Token);

        var binary = Message.Binary(0, 0x0A, 0xFF);
        await exact.SendAsync(binary, cts.Token);
        AssertSame(binary, await exact.ReceiveMessageAsync(cts.Token));
        await line.AssertEchoesAsync("still line mode", cts.Token);
    }

    [Fact]
    public async Task ExactMode_AppBreaksTheFraming_Close1011()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // count.sh prints "1", "2", ... in lines: "1" is no exact-mode header.
        using var server = SupervisorProcess.Start("--mode=exact", Paths.Script("count.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/broken"), cts.Token);

        var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.Empty(messages);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
        Assert.Equal("app output breaks the exact framing", client.CloseStatusDescription);
        await server.WaitForLogAsync(new(@"connection ended: /broken .*close=1011 reason=AppFramingError"), TimeSpan.FromSeconds(5));
    }

    /// <summary>The exit used to win the race against the stdout pump: a broken frame followed
    /// by exit 0 usually closed 1000, though the log said the framing was broken.</summary>
    [Fact]
    public async Task ExactMode_BrokenFrameThenExitZero_Close1011EveryTime()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var apps = new AppFolder().WriteScript("exact-broken.sh", "echo 'not a header'\nexit 0");
        using var server = SupervisorProcess.Start($"--dir={apps.Path}");

        for (int i = 0; i < 6; i++)
        {
            using var client = await WsClient.ConnectAsync(server.Url($"/exact-broken.sh?run={i}"), cts.Token);
            var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token);

            Assert.Empty(messages);
            Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
            Assert.Equal("app output breaks the exact framing", client.CloseStatusDescription);
        }
        await server.WaitForLogAsync(new(@"connection ended: /exact-broken.sh\?run=5 .*close=1011 reason=AppFramingError"), TimeSpan.FromSeconds(5));
    }
}
