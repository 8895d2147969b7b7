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
}
