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
        Assert.Equal("app could not be started", client.CloseStatusDescription); // as a worker says it
        await server.WaitForLogAsync(new("cannot start socket-mode app"), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task SocketMode_AppMissingUnderLimits_ExecAppSendsTheSameClose1011()
    {
        // With --limit-* the spawn is exec-app's, which succeeds; the exec after it fails.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var apps = new AppFolder();
        File.WriteAllText(apps["socket-gone"], "#!/nonexistent/interpreter\n");
        File.SetUnixFileMode(apps["socket-gone"], AppFolder.Mode("755"));
        using var server = SupervisorProcess.Start("--limit-nofile=64", $"--dir={apps.Path}");
        using var client = await WsClient.ConnectAsync(server.Url("/socket-gone"), cts.Token);

        var (_, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
        Assert.Equal("app could not be started", client.CloseStatusDescription);
        await server.WaitForLogAsync(new("app output: ws-supervisor exec-app: .*socket-gone"), TimeSpan.FromSeconds(5));
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

    [Fact]
    public async Task SocketMode_AppExits_ConnectionEndedAccessLineWithIdPathDurationAndExit()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--mode=socket", Paths.Fixture("socket-blocking.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/ended?x=1"), cts.Token);
        await client.ReceiveTextAsync(cts.Token);

        var opened = await server.WaitForLogAsync(
            new(@"acceptor\[\d+\] (?<id>[0-9a-f]{16}) 127\.0\.0\.1:\d+ connection opened: /ended\?x=1 app=(?<app>\d+) mode=socket"),
            TimeSpan.FromSeconds(5));
        await server.WaitForLogAsync(
            new($@"acceptor\[\d+\] {opened.Groups["id"].Value} 127\.0\.0\.1:\d+ connection ended: /ended\?x=1 app={opened.Groups["app"].Value} mode=socket duration=\d+ms app-exit=exit code 0"),
            TimeSpan.FromSeconds(5));
    }

    /// <summary>An app that ignores the server's "going away" is killed at --shutdown-timeout;
    /// its connection still gets its one "connection ended" line, as the other modes' do.</summary>
    [Fact]
    public async Task SocketMode_AppKilledAtShutdownTimeout_ConnectionEndedLoggedOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var apps = new AppFolder();
        apps.WriteScript("socket-deaf", "exec sleep 30");
        using var server = SupervisorProcess.Start("--shutdown-timeout=1", $"--dir={apps.Path}");
        using var client = await WsClient.ConnectAsync(server.Url("/socket-deaf"), cts.Token);
        var opened = await server.WaitForLogAsync(new(@"(?<id>[0-9a-f]{16}) \S+ connection opened: /socket-deaf app=(?<app>\d+)"),
            TimeSpan.FromSeconds(5));

        Assert.True(server.Signal(Signals.SIGTERM));
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(10)));
        await server.WaitForLogAsync(new("Stopped in"), TimeSpan.FromSeconds(5)); // stderr is read after the exit too

        string id = opened.Groups["id"].Value;
        Assert.Single(server.StderrLines, line => line.Contains($"{id} 127.0.0.1:", StringComparison.Ordinal) &&
            line.Contains("connection ended: /socket-deaf", StringComparison.Ordinal) && line.Contains("app-exit=killed by signal 9", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SocketMode_AppOutputAndFailure_LoggedPerLineWithTheConnectionIdAndCalledAnApp()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var apps = new AppFolder();
        apps.WriteScript("socket-fails", "echo 'said on stdout'; echo 'said on stderr' >&2; exit 3");
        using var server = SupervisorProcess.Start($"--dir={apps.Path}");
        using var client = await WsClient.ConnectAsync(server.Url("/socket-fails"), cts.Token);

        var opened = await server.WaitForLogAsync(new(@"(?<id>[0-9a-f]{16}) \S+ connection opened: /socket-fails app=(?<app>\d+)"),
            TimeSpan.FromSeconds(5));
        string tag = $@"acceptor\[\d+\] {opened.Groups["id"].Value} 127\.0\.0\.1:\d+";
        await server.WaitForLogAsync(new($"{tag} app output: said on stdout$"), TimeSpan.FromSeconds(5));
        await server.WaitForLogAsync(new($"{tag} app output: said on stderr$"), TimeSpan.FromSeconds(5));
        await server.WaitForLogAsync(new($"{tag} socket-mode app {opened.Groups["app"].Value} ended abnormally: exit code 3"),
            TimeSpan.FromSeconds(5));
        await server.WaitForLogAsync(new($"{tag} connection ended: /socket-fails .* app-exit=exit code 3"), TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(server.StderrLines, line => line.Contains("worker", StringComparison.Ordinal) && line.Contains("abnormally", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SocketMode_AppOutputUnderJsonLogFormat_EveryLineStillAJsonObject()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var apps = new AppFolder();
        apps.WriteScript("socket-talks", "echo 'not json'; echo 'nor this' >&2");
        using var server = SupervisorProcess.Start("--log-format=json", $"--dir={apps.Path}");
        using var client = await WsClient.ConnectAsync(server.Url("/socket-talks"), cts.Token);

        await server.WaitForLogAsync(new("connection ended"), TimeSpan.FromSeconds(5));
        await server.WaitForLogAsync(new("nor this"), TimeSpan.FromSeconds(5));

        var events = server.StderrLines.Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement).ToList();
        var output = events.Where(e => e.GetProperty("RenderedMessage").GetString()!.StartsWith("app output:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, output.Count);
        Assert.All(output, e => Assert.Matches("^[0-9a-f]{16}$", e.GetProperty("Properties").GetProperty("ConnectionId").GetString()!));
    }
}
