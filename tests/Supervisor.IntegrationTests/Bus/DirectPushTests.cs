using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Bus;

/// <summary>
/// The acceptor writes pushed messages (FIFO lines, control-socket sends) to the client
/// itself, taking turns with the worker through a lock in shared memory, instead of
/// waking every worker to write them. What that must keep: frames whole and in order
/// while the app writes too, compressed or not; nothing after the close frame; pushes
/// counted in the access log and as activity for --idle-timeout.
/// </summary>
public sealed class DirectPushTests
{
    private const int Clients = 5;
    private const int Lines = 50;

    /// <summary>The point of it: a broadcast to idle connections does not wake their
    /// workers. Their control readers ("ws-control") sleep through it; through the channel
    /// each line woke every one of them once (250 wake-ups here).</summary>
    [Fact]
    public async Task Broadcast_ToIdleConnections_ArrivesWithoutWakingTheirWorkers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start("--spare-workers=1", Paths.Script("echo.sh"));
        var clients = new List<ClientWebSocket>();
        try
        {
            for (int i = 0; i < Clients; i++)
            {
                var client = await WsClient.ConnectAsync(server.Url($"/idle{i}"), cts.Token);
                clients.Add(client);
                await client.AssertEchoesAsync("awake", cts.Token); // app started, gate open
            }
            var before = ControlReaderWakeupTests.ReaderSleeps(server);

            await using (var fifo = new FileStream(server.FifoPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 0))
            {
                for (int line = 0; line < Lines; line++)
                    await fifo.WriteAsync(Encoding.ASCII.GetBytes($"push {line}\n"), cts.Token);
            }
            foreach (var client in clients)
            {
                for (int line = 0; line < Lines; line++)
                    Assert.Equal($"push {line}", await client.ReceiveTextAsync(cts.Token));
            }
            var after = ControlReaderWakeupTests.ReaderSleeps(server);

            long woken = after.Sum(kv => kv.Value - before.GetValueOrDefault(kv.Key));
            Assert.True(woken < Clients,
                $"the workers' control readers woke {woken} times for {Lines} lines to {Clients} idle clients (through the channel: {Lines * Clients})");
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
    }

    /// <summary>The app floods its client with 100 kB lines (a 64-bit frame length; random
    /// text, so compression cannot shrink them away) and short ones, while lines are pushed
    /// every millisecond, and the client reads slowly, 8 KiB at a time: the worker's sends
    /// keep waiting for room in the middle of a frame, the moment a push without its turn
    /// would land inside it. The client library fails the connection on a single broken
    /// frame; every pushed line must arrive once, whole and in order, among the app's.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Broadcast_WhileTheAppFloodsASlowClient_EveryFrameWholeAndEveryPushInOrder(bool compression)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var apps = new AppFolder().WriteScript("flood.sh", """
            big=$(head -c 75000 /dev/urandom | base64 -w0)
            for i in $(seq 1 100000); do echo "$big"; echo small; done
            """);
        using var server = SupervisorProcess.Start("--max-message=1M", apps["flood.sh"]);
        using var client = new ClientWebSocket();
        if (compression)
            client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        client.Options.CollectHttpResponseDetails = true;
        await client.ConnectAsync(server.Url("/flood"), cts.Token);
        Assert.Equal(compression, client.HttpResponseHeaders?.ContainsKey("Sec-WebSocket-Extensions") == true);

        const int pushes = 300;
        var pusher = Task.Run(async () =>
        {
            await using var fifo = new FileStream(server.FifoPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 0);
            for (int i = 0; i < pushes; i++)
            {
                await fifo.WriteAsync(Encoding.ASCII.GetBytes($"push {i}\n"), cts.Token);
                await Task.Delay(1, cts.Token);
            }
        }, cts.Token);

        int next = 0, fromApp = 0;
        string? big = null;
        var buffer = new byte[8 * 1024];
        var message = new MemoryStream();
        for (int reads = 1; next < pushes; reads++)
        {
            var result = await client.ReceiveAsync(buffer, cts.Token); // a broken frame throws here
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            message.Write(buffer, 0, result.Count);
            if (reads % 4 == 0)
                await Task.Delay(1, cts.Token);
            if (!result.EndOfMessage)
                continue;
            string text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            message.SetLength(0);
            if (text.StartsWith("push ", StringComparison.Ordinal))
            {
                Assert.Equal($"push {next}", text);
                next++;
                continue;
            }
            big ??= text.Length == 100_000 ? text : null;
            Assert.True(text == "small" || text == big, $"a message from the app arrived altered: {text.Length} chars");
            fromApp++;
        }
        await pusher;
        Assert.True(fromApp > 10, $"only {fromApp} app messages came among {pushes} pushes: the two did not contend");
        client.Abort();
    }

    /// <summary>The app ends its connection while lines are pushed as fast as the FIFO
    /// takes them, and the client waits half a second before answering the close: through
    /// all of that the socket is still open, and nothing may follow the close frame.</summary>
    [Fact]
    public async Task Broadcast_AroundTheCloseFrame_NothingFollowsIt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var apps = new AppFolder().WriteScript("brief.sh", "echo hello; sleep 0.5; exit 0");
        using var server = SupervisorProcess.Start(apps["brief.sh"]);
        using var socket = await RawHttp.ConnectAsync(server.Port, cts.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes(RawHttp.UpgradeHead("/brief")), SocketFlags.None, cts.Token);
        Assert.Equal("HTTP/1.1 101 Switching Protocols", (await RawHttp.ReadHeadAsync(socket, cts.Token)).StatusLine);

        using var stopPushing = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var pusher = Task.Run(async () =>
        {
            await using var fifo = new FileStream(server.FifoPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 0);
            for (int i = 0; i < 20_000 && !stopPushing.IsCancellationRequested; i++)
            {
                await fifo.WriteAsync(Encoding.ASCII.GetBytes($"push {i}\n"), cts.Token);
                await Task.Delay(1, cts.Token);
            }
        }, cts.Token);
        try
        {
            int pushed = 0;
            RawFrames.Frame frame;
            while ((frame = await RawFrames.ReadFrameAsync(socket, cts.Token)).Opcode != 0x8)
            {
                Assert.Equal(0x1, frame.Opcode);
                if (Encoding.UTF8.GetString(frame.Payload).StartsWith("push ", StringComparison.Ordinal))
                    pushed++;
            }
            Assert.Equal(1000, frame.CloseCode);
            Assert.True(pushed > 10, $"only {pushed} pushed lines arrived before the close frame");

            await Task.Delay(500, cts.Token); // lines keep coming meanwhile
            await socket.SendAsync(RawFrames.ClientClose(1000), SocketFlags.None, cts.Token);
            byte[] after = await RawHttp.ReadToEndAsync(socket, cts.Token);
            Assert.True(after.Length == 0, $"{after.Length} bytes followed the close frame: {Encoding.ASCII.GetString(after[..Math.Min(after.Length, 40)])}");
        }
        finally
        {
            stopPushing.Cancel();
            await pusher.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>A connection whose lines were pushed by the acceptor carries on after the
    /// acceptor is killed: its worker owns the connection, the acceptor's copy of the
    /// socket dies with the acceptor without ending it, and the send gate left behind
    /// does not hold up the worker's writes.</summary>
    [Fact]
    public async Task Broadcast_ThenTheAcceptorKilled_TheConnectionCarriesOnWithItsApp()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/survivor"), cts.Token);
        await client.AssertEchoesAsync("before", cts.Token);
        for (int i = 0; i < 20; i++)
        {
            await BusControl.RequestAsync(server.ControlPath, $"broadcast pushed {i}", cts.Token);
            Assert.Equal($"pushed {i}", await client.ReceiveTextAsync(cts.Token));
        }

        server.RememberDescendants(); // the worker and its app, reaped by Dispose
        Assert.True(server.Signal(Signals.SIGKILL));
        Assert.NotNull(server.WaitForExit(TimeSpan.FromSeconds(10)));

        for (int i = 0; i < 20; i++)
            await client.AssertEchoesAsync($"after {i}", cts.Token);
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
    }

    /// <summary>A client that only gets pushed lines is not idle, and the bytes pushed to it
    /// are in its access log line, though its worker wrote none of them.</summary>
    [Fact]
    public async Task Broadcast_OnlyPushesToAClient_KeepItFromIdlingAndCountInItsAccessLog()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start("--idle-timeout=2", Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/listener"), cts.Token);
        await server.WaitForOpenedAsync("/listener", TimeSpan.FromSeconds(10));

        string line = new('p', 1000);
        for (int i = 0; i < 8; i++) // 4 s of pushes, one every 0.5 s
        {
            await BusControl.RequestAsync(server.ControlPath, $"broadcast {line}", cts.Token);
            Assert.Equal(line, await client.ReceiveTextAsync(cts.Token));
            await Task.Delay(500, cts.Token);
        }
        Assert.Equal(WebSocketState.Open, client.State);

        var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token); // then 2 s of nothing
        Assert.Empty(messages);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        var ended = await server.WaitForLogAsync(
            new Regex(@"connection ended: /listener .* out=(?<out>\d+)B .*reason=IdleTimeout"), TimeSpan.FromSeconds(10));
        Assert.True(long.Parse(ended.Groups["out"].Value) >= 8 * line.Length,
            $"out={ended.Groups["out"].Value}B after 8 pushes of {line.Length} bytes");
    }
}
