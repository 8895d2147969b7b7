using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Supervisor.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Supervisor.IntegrationTests;

/// <summary>
/// Slowloris: hundreds of connections that send part of a head and stall cost the
/// acceptor one fd and one small buffer each, for at most --handshake-timeout, and
/// never a thread or a worker; real clients arriving meanwhile are served as usual.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class SlowHandshakeTests(ITestOutputHelper output)
{
    private const int Stalled = 500;
    private const int RealClients = 20;

    [Fact]
    public async Task Handshake_500HalfOpenSlowHeads_20RealClientsConnectAndEchoNormally()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var server = SupervisorProcess.Start("--handshake-timeout=60", Paths.Script("echo.sh"));
        int threadsBefore = ProcTree.ThreadCount(server.Pid);
        using var connected = await WsClient.ConnectAsync(server.Url("/connected"), cts.Token);
        var stalled = new List<Socket>();
        try
        {
            // Each sends a request line and one header, never the blank line.
            byte[] partial = Encoding.ASCII.GetBytes("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");
            for (int batch = 0; batch < Stalled / 50; batch++)
            {
                var sockets = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
                {
                    var socket = await RawHttp.ConnectAsync(server.Port, cts.Token);
                    await socket.SendAsync(partial, SocketFlags.None, cts.Token);
                    return socket;
                }));
                stalled.AddRange(sockets);
            }
            Assert.True(await WaitUntilAsync(() => ProcTree.FdCount(server.Pid) >= Stalled, TimeSpan.FromSeconds(10)),
                $"the acceptor holds {ProcTree.FdCount(server.Pid)} fds: not all {Stalled} slow connections were accepted");

            var times = await Task.WhenAll(Enumerable.Range(0, RealClients).Select(async i =>
            {
                var clock = Stopwatch.StartNew();
                using var client = await WsClient.ConnectAsync(server.Url($"/real{i}"), cts.Token);
                for (int m = 0; m < 3; m++)
                    await client.AssertEchoesAsync($"client {i} message {m}", cts.Token);
                await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
                return clock.Elapsed;
            }));

            output.WriteLine($"{RealClients} clients beside {Stalled} stalled heads: slowest {times.Max().TotalMilliseconds:F0} ms, " +
                $"median {times.Order().ElementAt(RealClients / 2).TotalMilliseconds:F0} ms; acceptor threads {threadsBefore} → " +
                $"{ProcTree.ThreadCount(server.Pid)}, fds {ProcTree.FdCount(server.Pid)}");
            Assert.All(times, t => Assert.True(t < TimeSpan.FromSeconds(10), $"a client took {t} to connect and echo 3 lines"));
            // No thread per waiting connection, and none of them got a worker or an answer.
            Assert.InRange(ProcTree.ThreadCount(server.Pid), 1, threadsBefore + 16);
            Assert.Single(server.ServingWorkers());
            Assert.All(stalled, s => Assert.Equal(0, s.Available));
            await connected.AssertEchoesAsync("the first client never noticed", cts.Token);
        }
        finally
        {
            stalled.ForEach(s => s.Dispose());
        }
        await WsClient.AssertServerEchoesAsync(server.Url("/after"), cts.Token);
    }

    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
                return false;
            await Task.Delay(50);
        }
        return true;
    }
}
