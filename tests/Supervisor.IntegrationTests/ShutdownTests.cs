using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>SIGTERM (or SIGINT, or SIGHUP) to the acceptor: every client is told "going away" (1001), every
/// worker exits, and the acceptor exits 0 within --shutdown-timeout.</summary>
public sealed class ShutdownTests
{
    [Theory]
    [InlineData(Signals.SIGTERM)]
    [InlineData(Signals.SIGINT)]
    [InlineData(Signals.SIGHUP)]
    public async Task StopSignal_ThreeConnectedClients_EachGets1001AndAcceptorExitsZero(int signal)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // A shell starts a background job without job control with SIGINT ignored, and an
        // ignored signal stays ignored across exec: the test runner, when started that way,
        // would hand that on to the server (and nohup does the same with SIGHUP). env gives
        // the server both at their defaults, as from a terminal or systemd.
        using var server = SupervisorProcess.Start(["--shutdown-timeout=5", Paths.Script("echo.sh")],
            wrapper: ["env", "--default-signal=INT,HUP"]);
        var clients = new List<ClientWebSocket>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                clients.Add(await WsClient.ConnectAsync(server.Url($"/s{i}"), cts.Token));
                await clients[i].AssertEchoesAsync($"client {i}", cts.Token);
            }
            var workers = server.ServingWorkers().Select(w => w.Pid).ToList();
            Assert.Equal(3, workers.Count);
            var apps = workers.SelectMany(w => ProcTree.Children(w)).Select(a => a.Pid).ToList();
            Assert.Equal(3, apps.Count);
            var closing = clients.Select(c => c.ReceiveUntilCloseAsync(cts.Token)).ToList();

            var clock = Stopwatch.StartNew();
            Assert.True(server.Signal(signal));

            var exitCode = server.WaitForExit(TimeSpan.FromSeconds(5 + 3));
            Assert.True(exitCode is not null, $"the acceptor was still running {clock.ElapsedMilliseconds} ms after signal {signal}:\n{server.Stderr}");
            Assert.Equal(0, exitCode);
            foreach (var result in await Task.WhenAll(closing))
            {
                Assert.Empty(result.Messages);
                Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, result.Status);
            }
            Assert.All(workers, pid => Assert.False(ProcTree.IsAlive(pid), $"worker {pid} outlived the acceptor"));
            Assert.All(apps, pid => Assert.False(ProcTree.IsAlive(pid), $"app {pid} outlived the acceptor"));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>The last line says how long the stop took: naming --shutdown-timeout there
    /// ("0 workers killed after 5 s", ~50 ms after the signal) read as a 5 s wait.</summary>
    [Fact]
    public async Task StopSignal_EveryWorkerCloses_LastLineSaysTheTimeItTook()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(["--shutdown-timeout=5", Paths.Script("echo.sh")]);
        using (var client = await WsClient.ConnectAsync(server.Url(), cts.Token))
            await client.AssertEchoesAsync("before the stop", cts.Token);

        Assert.True(server.Signal(Signals.SIGTERM));

        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(8)));
        var match = await server.WaitForLogAsync(new Regex(@"INF acceptor\[\d+\] Stopped in (\d+) ms: every worker closed$"), TimeSpan.FromSeconds(1));
        Assert.InRange(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0, 4000);
    }

    /// <summary>A worker still serving at --shutdown-timeout is killed: the acceptor says so
    /// (it used to say "idle worker N ended abnormally: exit code -1", a status made up from
    /// ECHILD), and logs the connection's end, which the killed worker cannot.</summary>
    [Fact]
    public async Task StopSignal_WorkerStillServingAtTimeout_KilledSaidSoAndConnectionEndedOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(["--shutdown-timeout=1", Paths.Script("echo.sh")]);
        // Never answers the 1001: its worker waits 2 s for the reply, past the timeout.
        using var silent = await RawHttp.ConnectAsync(server.Port, cts.Token);
        await silent.SendAsync(System.Text.Encoding.ASCII.GetBytes(RawHttp.UpgradeHead("/silent")), System.Net.Sockets.SocketFlags.None, cts.Token);
        Assert.Equal("HTTP/1.1 101 Switching Protocols", (await RawHttp.ReadHeadAsync(silent, cts.Token)).StatusLine);
        var (workerPid, _, connectionId) = await server.WaitForOpenedAsync("/silent", TimeSpan.FromSeconds(5));

        Assert.True(server.Signal(Signals.SIGTERM));

        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(6)));
        await server.WaitForLogAsync(
            new Regex($@"WRN acceptor\[\d+\] worker {workerPid} for {connectionId} was killed at --shutdown-timeout$"), TimeSpan.FromSeconds(1));
        Assert.Single(server.StderrLines, l => l.Contains($"{connectionId} 127.0.0.1:", StringComparison.Ordinal) && l.Contains("connection ended: /silent ", StringComparison.Ordinal));
        Assert.DoesNotContain(server.StderrLines, l => l.Contains("idle worker", StringComparison.Ordinal) || l.Contains("exit code -1", StringComparison.Ordinal));
    }
}
