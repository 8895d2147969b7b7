using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Bus;

/// <summary>What one control client may cost the acceptor (docs/bus.md, "Limits"): answers
/// it does not read are not computed ahead without bound, a connection that asks nothing
/// is closed, and the number of connections open at once is capped.</summary>
public sealed class ControlLimitsTests
{
    private static Socket Connect(string controlPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(controlPath));
        return socket;
    }

    private static long RssKiB(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    /// <summary>20 clients each pipeline 2,000 requests (a `list` of 10 connections, ~2.3 KB,
    /// and an unknown command whose answer names it, so the order shows) and read nothing.
    /// Before answers were held back, the acceptor computed one 16 KiB read's worth of
    /// answers per client at once: its RSS grew by ~200 MB here (~900 MB with 100 clients
    /// and 9,000 requests each). Meanwhile another control client and the FIFO are served
    /// at once; then every answer is read, all there and in order.</summary>
    [Fact]
    public async Task PipelinedRequestsNotRead_MemoryStaysBoundedAndEveryAnswerComesInOrder()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        var clients = new List<System.Net.WebSockets.ClientWebSocket>();
        try
        {
            for (int i = 0; i < 10; i++)
                clients.Add(await WsClient.ConnectAsync(server.Url($"/listed/{i}"), cts.Token));
            await BusControl.WaitForConnectionsAsync(server, 10, TimeSpan.FromSeconds(5), cts.Token);
            long before = RssKiB(server.Pid);
            const int Pairs = 1000;
            byte[] requests = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, Pairs).Select(i => $"list\nnope{i}\n")));

            var hogs = Enumerable.Range(0, 20).Select(_ => Connect(server.ControlPath)).ToList();
            try
            {
                foreach (var hog in hogs)
                {
                    await hog.SendAsync(requests, SocketFlags.None, cts.Token);
                    hog.Shutdown(SocketShutdown.Send);
                }

                long peak = before;
                var watch = Stopwatch.StartNew();
                while (watch.Elapsed < TimeSpan.FromSeconds(3))
                {
                    peak = Math.Max(peak, RssKiB(server.Pid));
                    await Task.Delay(50, cts.Token);
                }
                var answered = Stopwatch.StartNew();
                Assert.Equal("ok commands: broadcast TEXT | send user|conn|path TARGET TEXT | count | list | help",
                    await BusControl.RequestAsync(server.ControlPath, "help", cts.Token));
                Assert.True(answered.Elapsed < TimeSpan.FromSeconds(1), $"help took {answered.Elapsed} beside clients that read nothing");
                using (var fifo = new FileStream(server.FifoPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0))
                    fifo.Write("through the fifo\n"u8);
                using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cts.Token))
                {
                    deadline.CancelAfter(TimeSpan.FromSeconds(2));
                    Assert.Equal("through the fifo", await clients[0].ReceiveTextAsync(deadline.Token));
                }
                peak = Math.Max(peak, RssKiB(server.Pid));
                Assert.True(peak - before < 40 * 1024,
                    $"the acceptor's RSS grew from {before / 1024} MiB to {peak / 1024} MiB for 20 clients that read none of their answers");

                foreach (var hog in hogs)
                {
                    string[] answers = Encoding.UTF8.GetString(await RawHttp.ReadToEndAsync(hog, cts.Token)).TrimEnd('\n').Split('\n');
                    Assert.Equal(2 * Pairs, answers.Length);
                    for (int i = 0; i < Pairs; i++)
                    {
                        Assert.StartsWith("ok [{\"id\":", answers[2 * i]);
                        Assert.Equal($"error unknown command 'nope{i}' (try: help)", answers[2 * i + 1]);
                    }
                }
            }
            finally
            {
                hogs.ForEach(h => h.Dispose());
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Connections that send nothing, or half a request, are closed after the idle
    /// timeout (10 s) with a last line saying why, while one that keeps asking stays open.
    /// Before the timeout, each held an acceptor descriptor for as long as it liked.</summary>
    [Fact]
    public async Task IdleConnections_ClosedAfterTheTimeout_ABusyOneStays()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var silent = Connect(server.ControlPath);
        using var partial = Connect(server.ControlPath);
        using var busy = Connect(server.ControlPath);
        await partial.SendAsync("cou"u8.ToArray(), SocketFlags.None, cts.Token);
        var clock = Stopwatch.StartNew();
        var silentEnd = RawHttp.ReadToEndAsync(silent, cts.Token);
        var partialEnd = RawHttp.ReadToEndAsync(partial, cts.Token);

        var reader = new StreamReader(new NetworkStream(busy, ownsSocket: false));
        for (int i = 0; i < 4; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(4), cts.Token);
            await busy.SendAsync("count\n"u8.ToArray(), SocketFlags.None, cts.Token);
            Assert.StartsWith("ok {", await reader.ReadLineAsync(cts.Token));
        }

        Assert.True(silentEnd.IsCompleted && partialEnd.IsCompleted, $"idle connections still open after {clock.Elapsed}");
        const string Said = "error no request for 10 s: closing the connection\n";
        Assert.Equal(Said, Encoding.UTF8.GetString(await silentEnd));
        Assert.Equal(Said, Encoding.UTF8.GetString(await partialEnd));
    }

    /// <summary>At most 128 control connections at once: the next one is told so in one line
    /// and closed; when one of the 128 leaves, a new one is served again.</summary>
    [Fact]
    public async Task ConnectionsOverTheCap_RefusedWithOneLine_ServedAgainWhenOneLeaves()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        var open = new List<Socket>();
        try
        {
            for (int i = 0; i < 128; i++)
                open.Add(Connect(server.ControlPath));
            // Each of the 128 is being served before the next is refused.
            await open[^1].SendAsync("count\n"u8.ToArray(), SocketFlags.None, cts.Token);
            var reader = new StreamReader(new NetworkStream(open[^1], ownsSocket: false));
            Assert.StartsWith("ok {", await reader.ReadLineAsync(cts.Token));

            string answer = await BusControl.RequestAsync(server.ControlPath, "count", cts.Token);
            Assert.Equal("error too many control connections (128 open); try again later", answer);
            await server.WaitForLogAsync(new Regex(@"WRN .*control socket: 128 connections open; refusing more"), TimeSpan.FromSeconds(5));

            open[0].Dispose();
            var deadline = Stopwatch.StartNew();
            while (!(answer = await BusControl.RequestAsync(server.ControlPath, "count", cts.Token)).StartsWith("ok {", StringComparison.Ordinal)
                && deadline.Elapsed < TimeSpan.FromSeconds(5))
                await Task.Delay(20, cts.Token);
            Assert.StartsWith("ok {", answer);
        }
        finally
        {
            open.ForEach(s => s.Dispose());
        }
    }
}
