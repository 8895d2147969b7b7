using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;
using static Supervisor.IntegrationTests.Infrastructure.WsMessages;

namespace Supervisor.IntegrationTests;

/// <summary>--mode=socket: the app is handed the upgraded socket and speaks WebSocket
/// itself, so a connection is one process — shown with samples/SocketEcho.</summary>
[Collection(LoadCollection.Name)]
public sealed class SocketModeTests
{
    [Fact]
    public async Task SocketMode_AwkwardPayloads_EchoedByTheAppItself()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start("--mode=socket", "--max-message=2M", Paths.SocketEcho);
        using var client = await WsClient.ConnectAsync(server.Url("/socket"), cts.Token);

        foreach (var message in Awkward())
        {
            await client.SendAsync(message, cts.Token);
            AssertSame(message, await client.ReceiveMessageAsync(cts.Token));
        }

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
    }

    [Fact]
    public async Task SocketMode_Deflate_AppSpeaksWhatThe101Agreed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start("--mode=socket", "--max-message=2M", Paths.SocketEcho);
        using var client = new ClientWebSocket();
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        client.Options.CollectHttpResponseDetails = true;
        await client.ConnectAsync(server.Url("/deflate"), cts.Token);

        Assert.StartsWith("permessage-deflate", client.HttpResponseHeaders?.GetValueOrDefault("Sec-WebSocket-Extensions")?.Single());
        foreach (var message in Awkward())
        {
            await client.SendAsync(message, cts.Token);
            AssertSame(message, await client.ReceiveMessageAsync(cts.Token));
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
    }

    /// <summary>The app runs the worker's engine (src/Supervisor.SocketApp), so with
    /// permessage-deflate agreed its frames are judged as a worker's are (RFC 7692 §6:
    /// RSV1 on a data message's first frame only; data that does not inflate is 1007).</summary>
    [Theory]
    [InlineData(0xC9, new byte[0], 1002, "RSV1 set on a control frame")]                                    // FIN, RSV1, ping
    [InlineData(0xC1, new byte[] { 0xFF, 0xFF, 0xFF }, 1007, "compressed data does not inflate: invalid block type")] // FIN, RSV1, text
    public async Task SocketMode_DeflateViolation_ClosedWithCodeAndReason(int finRsvOpcode, byte[] payload, int code, string reason)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--mode=socket", Paths.SocketEcho);
        using var socket = await DeflateRaw.ConnectAsync(server.Port, "/socket", cts.Token);

        await socket.SendAsync(DeflateRaw.Frame((byte)finRsvOpcode, payload), System.Net.Sockets.SocketFlags.None, cts.Token);

        await DeflateRaw.AssertClosedAsync(socket, code, reason, cts.Token);
    }

    [Fact]
    public async Task SocketMode_FiftyConnections_OneProcessEach_NoWorkers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var server = SupervisorProcess.Start("--mode=socket", Paths.SocketEcho);
        var clients = new List<ClientWebSocket>();
        try
        {
            for (int i = 0; i < 50; i++)
                clients.Add(await WsClient.ConnectAsync(server.Url($"/conn{i}"), cts.Token));
            // Every connection answers, so every app is up and serving.
            await Task.WhenAll(clients.Select((c, i) => c.AssertEchoesAsync($"hello {i}", cts.Token)));

            var children = ProcTree.Children(server.Pid);
            Assert.Equal(50, children.Count);
            Assert.All(children, child =>
            {
                Assert.EndsWith("socket-echo", ProcTree.CommandLine(child.Pid));
                Assert.Empty(ProcTree.Children(child.Pid)); // no worker, no helper: one process
            });
            Assert.Empty(server.AllWorkers());

            // The bus reaches apps too: a broadcast arrives on every connection.
            await File.AppendAllTextAsync(server.FifoPath, "to everyone\n", cts.Token);
            foreach (var client in clients)
                Assert.Equal("to everyone", await client.ReceiveTextAsync(cts.Token));
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
    }

    [Fact]
    public async Task SocketMode_ServerShutdown_AppClosesWith1001()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start("--mode=socket", Paths.SocketEcho);
        using var client = await WsClient.ConnectAsync(server.Url("/bye"), cts.Token);
        await client.AssertEchoesAsync("hello", cts.Token);

        server.Signal(Signals.SIGTERM);
        var (_, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status);
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task SocketMode_AppMissing_Close1011AfterThe101()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string dir = Directory.CreateTempSubdirectory("ws-supervisor-socket-").FullName;
        string app = Path.Combine(dir, "socket-gone");
        File.WriteAllText(app, "#!/nonexistent/interpreter\n");
        File.SetUnixFileMode(app, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var server = SupervisorProcess.Start($"--dir={dir}");
        using var client = await WsClient.ConnectAsync(server.Url("/socket-gone"), cts.Token);

        var (_, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
        await server.WaitForLogAsync(new("cannot start socket-mode app"), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task SocketMode_AppGetsABlockingSocket_AsAPlainProgramExpects()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--mode=socket", Paths.Fixture("socket-blocking.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/flags"), cts.Token);

        // The acceptor's runtime used the connection non-blocking; a C, PHP or shell app
        // reading fd 3 the obvious way would get EAGAIN and give up.
        Assert.Equal("blocking", await client.ReceiveTextAsync(cts.Token));
    }

    [Fact]
    public async Task SocketMode_LimitFlags_BindTheAppAsInTheOtherModes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--mode=socket", "--limit-nofile=16", "--limit-nproc=4000", "--limit-as=1G",
            "--limit-cpu=30", Paths.Fixture("socket-limits.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/limits"), cts.Token);

        var lines = new List<string>();
        for (int i = 0; i < 4; i++)
            lines.Add((await client.ReceiveTextAsync(cts.Token))!);

        Assert.Contains("Max open files 16 16 files", lines);
        Assert.Contains("Max processes 4000 4000 processes", lines);
        Assert.Contains("Max address space 1073741824 1073741824 bytes", lines);
        Assert.Contains("Max cpu time 30 31 seconds", lines);
    }
}
