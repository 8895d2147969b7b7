using System.Diagnostics;
using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>When the client leaves, the app is told (stdin EOF) and, if it does not go,
/// stopped by the termination ladder: SIGINT, SIGTERM, then SIGKILL.</summary>
public sealed class ClientCloseTests
{
    [Fact]
    public async Task ClientClose_EchoApp_AppSeesEofAndIsGoneWithinOneSecond()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/leaving"), cts.Token);
        await client.AssertEchoesAsync("hello", cts.Token);
        var (_, appPid, _) = await server.WaitForOpenedAsync("/leaving", TimeSpan.FromSeconds(5));
        Assert.True(ProcTree.IsAlive(appPid));

        var clock = Stopwatch.StartNew();
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);

        Assert.True(await ProcTree.WaitUntilGoneAsync(appPid, TimeSpan.FromSeconds(1)),
            $"echo.sh (pid {appPid}) still running {clock.ElapsedMilliseconds} ms after the client closed");
        await server.WaitForLogAsync(
            new($@"connection ended: /leaving worker=\d+ app={appPid} .*close=1000 reason=ClientClosed .*stop=stdin EOF"),
            TimeSpan.FromSeconds(5));
    }

    /// <summary>The ladder is walked in full: stdin EOF waits 100+closems ms, SIGINT 250,
    /// SIGTERM 500, then SIGKILL; so the app goes no sooner than that and not much later.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(500)]
    public async Task ClientClose_AppIgnoresEofAndSignals_KilledBySigkillAfterTheLadder(int closeMs)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start($"--closems={closeMs}", Paths.Script("ignore-eof.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/stubborn"), cts.Token);
        var (_, appPid, _) = await server.WaitForOpenedAsync("/stubborn", TimeSpan.FromSeconds(5));
        await Task.Delay(200, cts.Token); // let bash install its traps before the ladder starts
        var ladder = TimeSpan.FromMilliseconds(100 + closeMs + 250 + 500);

        var clock = Stopwatch.StartNew();
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);

        Assert.True(await ProcTree.WaitUntilGoneAsync(appPid, ladder + TimeSpan.FromSeconds(1.2)),
            $"ignore-eof.sh (pid {appPid}) still running {clock.ElapsedMilliseconds} ms after the client closed (ladder {ladder.TotalMilliseconds} ms)");
        Assert.True(clock.Elapsed >= ladder - TimeSpan.FromMilliseconds(100),
            $"ignore-eof.sh was gone after {clock.ElapsedMilliseconds} ms, before the {ladder.TotalMilliseconds} ms ladder could reach SIGKILL");
        await server.WaitForLogAsync(
            new($@"connection ended: /stubborn worker=\d+ app={appPid} .* stop=SIGKILL$"), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ClientVanish_EchoApp_AppSeesEofAndIsGoneWithinOneSecond()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        var client = await WsClient.ConnectAsync(server.Url("/vanishing"), cts.Token);
        await client.AssertEchoesAsync("hello", cts.Token);
        var (_, appPid, _) = await server.WaitForOpenedAsync("/vanishing", TimeSpan.FromSeconds(5));

        var clock = Stopwatch.StartNew();
        client.Abort(); // the TCP connection ends with no close frame
        client.Dispose();

        Assert.True(await ProcTree.WaitUntilGoneAsync(appPid, TimeSpan.FromSeconds(1)),
            $"echo.sh (pid {appPid}) still running {clock.ElapsedMilliseconds} ms after the client vanished");
        await server.WaitForLogAsync(
            new($@"connection ended: /vanishing worker=\d+ app={appPid} .*close=1006 reason=ClientVanished"), TimeSpan.FromSeconds(5));
    }
}
