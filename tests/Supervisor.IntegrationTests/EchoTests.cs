using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>The websocketd promise at its smallest: lines in, the same lines out.</summary>
public sealed class EchoTests
{
    [Fact]
    public async Task Echo_SingleCommand_EveryLineComesBack()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url(), cts.Token);

        foreach (string line in new[] { "hello", "second line", "ünïcödé ✓", "", "  spaces kept  " })
            await client.AssertEchoesAsync(line, cts.Token);

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
    }

    [Fact]
    public async Task Echo_DirMode_ScriptServedAtItsName()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--dir=worker-scripts");
        using var client = await WsClient.ConnectAsync(server.Url("/echo.sh"), cts.Token);

        await client.AssertEchoesAsync("served from --dir", cts.Token);
        await client.AssertEchoesAsync("and again", cts.Token);
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
    }

    [Fact]
    public async Task DirMode_UnknownApp_Gets404()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--dir=worker-scripts");

        var response = await RawHttp.ExchangeAsync(server.Port, RawHttp.UpgradeHead("/nope"), cts.Token);

        Assert.Equal("HTTP/1.1 404 Not Found", response.StatusLine);
        await WsClient.AssertServerEchoesAsync(server.Url("/echo.sh"), cts.Token);
    }
}
