using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Bus;

/// <summary>
/// Connections that survive their acceptor (kill -9) rejoin the bus of a server started in
/// its place, on the same port and run directory: broadcasts, targeted sends and `status`
/// include them again, and that server's stop closes them with 1001 like its own. Only the
/// server's own user may register a connection on the control socket.
/// </summary>
public sealed class AdoptionTests
{
    /// <summary>A worker tries about once a second; a loaded machine gets some slack.</summary>
    private static readonly TimeSpan AdoptionTimeout = TimeSpan.FromSeconds(15);

    private const string End = "end";

    [Fact]
    public async Task AcceptorKilled_ServerStartedInItsPlace_BroadcastSendAndStatusReachTheSurvivors()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var first = SupervisorProcess.Start(Paths.Script("echo.sh"));
        var known = new List<string>();
        using var old1 = await WsClient.ConnectAsync(first.Url("/old/1"), cts.Token);
        string id1 = await BusControl.NewConnectionIdAsync(first, known, cts.Token);
        using var old2 = await WsClient.ConnectAsync(first.Url("/old/2"), cts.Token);
        string id2 = await BusControl.NewConnectionIdAsync(first, known, cts.Token);
        var before = await ListWithAppPidsAsync(first, cts.Token);

        first.RememberDescendants(); // the survivors' workers and apps, killed by Dispose if left
        Assert.True(first.Signal(Signals.SIGKILL)); // the acceptor's pid only
        Assert.NotNull(first.WaitForExit(TimeSpan.FromSeconds(10)));
        await old1.AssertEchoesAsync("alone", cts.Token);

        using var second = SupervisorProcess.Start([$"--run-dir={first.RunDir}", Paths.Script("echo.sh")], port: first.Port);
        using var fresh = await WsClient.ConnectAsync(second.Url("/new"), cts.Token);
        await BusControl.WaitForConnectionsAsync(second, 3, AdoptionTimeout, cts.Token);

        var broadcast = BusControl.RunCli("broadcast", $"--run-dir={second.RunDir}", "to", "everyone");
        Assert.Equal((0, "sent to 3 connections\n", ""), (broadcast.ExitCode, broadcast.Stdout, broadcast.Stderr));
        var send = BusControl.RunCli("send", $"--run-dir={second.RunDir}", $"--conn={id2}", "for", "two");
        Assert.Equal((0, "sent to 1 connection\n", ""), (send.ExitCode, send.Stdout, send.Stderr));
        Assert.Equal("ok 1", await BusControl.RequestAsync(second.ControlPath, "send path /old/1 for the old path", cts.Token));
        Assert.Equal("ok 3", await BusControl.RequestAsync(second.ControlPath, $"broadcast {End}", cts.Token));

        Assert.Equal(["to everyone", "for the old path", End], await old1.ReceiveThroughAsync(End, cts.Token));
        Assert.Equal(["to everyone", "for two", End], await old2.ReceiveThroughAsync(End, cts.Token));
        Assert.Equal(["to everyone", End], await fresh.ReceiveThroughAsync(End, cts.Token));
        await old2.AssertEchoesAsync("still its own app", cts.Token);

        // `status` lists them as the first server did: same id, path, address, pids; the start
        // time is the worker's (it took the connection a moment after the acceptor registered it).
        var status = BusControl.RunCli("status", "--json", $"--run-dir={second.RunDir}");
        Assert.Equal(0, status.ExitCode);
        var after = JsonDocument.Parse(status.Stdout).RootElement;
        Assert.Equal(3, after.GetProperty("count").GetProperty("connections").GetInt32());
        foreach (var was in before.EnumerateArray())
        {
            var now = Assert.Single(after.GetProperty("connections").EnumerateArray(),
                c => c.GetProperty("id").GetString() == was.GetProperty("id").GetString());
            foreach (string field in new[] { "path", "remote", "worker", "app" })
                Assert.Equal(was.GetProperty(field).ToString(), now.GetProperty(field).ToString());
            var lag = now.GetProperty("since").GetDateTimeOffset() - was.GetProperty("since").GetDateTimeOffset();
            Assert.True(lag.Duration() < TimeSpan.FromSeconds(1), $"since moved by {lag}");
        }

        // Its end is logged once and leaves the registry.
        await old1.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        await BusControl.WaitForConnectionsAsync(second, 2, TimeSpan.FromSeconds(10), cts.Token);
        await second.WaitForLogAsync(new Regex($"adopted connection {id1} \\(worker \\d+\\) ended"), TimeSpan.FromSeconds(5));
        Assert.Single(second.StderrLines, l => l.Contains($"adopted connection {id1}", StringComparison.Ordinal));
        Assert.Equal("error no connection " + id1, await BusControl.RequestAsync(second.ControlPath, $"send conn {id1} late", cts.Token));
    }

    [Fact]
    public async Task AdoptedConnection_ServerInItsPlaceStopped_ClosesWith1001()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var first = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var survivor = await WsClient.ConnectAsync(first.Url("/survivor"), cts.Token);
        await BusControl.WaitForConnectionsAsync(first, 1, TimeSpan.FromSeconds(5), cts.Token);
        first.RememberDescendants();
        Assert.True(first.Signal(Signals.SIGKILL));
        Assert.NotNull(first.WaitForExit(TimeSpan.FromSeconds(10)));

        using var second = SupervisorProcess.Start([$"--run-dir={first.RunDir}", Paths.Script("echo.sh")], port: first.Port);
        await BusControl.WaitForConnectionsAsync(second, 1, AdoptionTimeout, cts.Token);
        Assert.True(second.Signal(Signals.SIGTERM));

        var (_, status) = await survivor.ReceiveUntilCloseAsync(cts.Token);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status);
        Assert.Equal(0, second.WaitForExit(TimeSpan.FromSeconds(10)));
        await second.WaitForLogAsync(new Regex("Stopped in \\d+ ms: every worker closed"), TimeSpan.FromSeconds(5));
    }

    /// <summary>Pushers may be in the bus group (PHP as www-data): one of them must not be
    /// able to register a connection of its own and be sent another user's messages. The
    /// same request from the server's own user is taken, so only the uid differs.</summary>
    [RootFact]
    public async Task Adopt_FromAnotherUserInTheBusGroup_RefusedAndNothingRegistered()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // Made by the server (0755), so nobody can reach the socket inside; the group lets it in.
        string runDir = Path.Combine(Path.GetTempPath(), $"ws-supervisor-test-adopt-{Guid.NewGuid():N}");
        using var server = SupervisorProcess.Start([$"--run-dir={runDir}", "--bus-group=nogroup", Paths.Script("echo.sh")]);
        string request = """adopt {"id":"0123456789abcdef","user":"42","path":"/chat.sh","remote":"127.0.0.1:1","app":0,"since":"2026-11-22T10:00:00+00:00"}""";

        string asNobody = await RunAsNobodyAsync(server.ControlPath, request, cts.Token);
        Assert.Equal("error adopt is for the server's own workers (uid 0), not uid 65534", asNobody);
        Assert.Equal(0, (await BusControl.QueryAsync(server.ControlPath, "count", cts.Token)).GetProperty("connections").GetInt32());
        Assert.Equal("ok 0", await BusControl.RequestAsync(server.ControlPath, "send user 42 secret", cts.Token));
        await server.WaitForLogAsync(new Regex(@"WRN .*adopt is for the server's own workers"), TimeSpan.FromSeconds(5));
        // Survivors of a server that ran as another user ask every second: warned once per uid.
        Assert.Equal(asNobody, await RunAsNobodyAsync(server.ControlPath, request, cts.Token));
        Assert.Single(server.StderrLines, line => line.Contains("WRN", StringComparison.Ordinal) && line.Contains("adopt is for", StringComparison.Ordinal));

        // The same line from root (the server's user): taken, while the connection stays open.
        using var socket = await AdoptAsync(server.ControlPath, request, cts.Token);
        Assert.Equal("ok 1", await BusControl.RequestAsync(server.ControlPath, "send user 42 for the worker", cts.Token));
    }

    [Fact]
    public async Task Adopt_NotFirstOrMalformed_OneLineErrors()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        string good = """adopt {"id":"0123456789abcdef","user":null,"path":"/a","remote":"127.0.0.1:1","app":0,"since":"2026-11-22T10:00:00+00:00"}""";

        Assert.Equal(["ok {\"connections\":0,\"users\":0,\"paths\":{}}", "error adopt must be the first request on its connection"],
            await BusControl.RequestAsync(server.ControlPath, ["count", good], cts.Token));
        Assert.Equal("error adopt: not the JSON of a connection", await BusControl.RequestAsync(server.ControlPath, "adopt {", cts.Token));
        Assert.Equal("error adopt: 'id' is not 16 hex digits",
            await BusControl.RequestAsync(server.ControlPath, good.Replace("0123456789abcdef", "zz"), cts.Token));
        Assert.Equal("error adopt: 'path' is not an app's path",
            await BusControl.RequestAsync(server.ControlPath, good.Replace("\"/a\"", "\"a b\""), cts.Token));
        Assert.Equal("error adopt: text after the JSON object", await BusControl.RequestAsync(server.ControlPath, good + " and then some", cts.Token));
        Assert.Equal("error adopt: 'user' is not a string",
            await BusControl.RequestAsync(server.ControlPath, good.Replace("\"user\":null", "\"user\":42"), cts.Token));
        Assert.Equal("error adopt: 'app' is not a process id",
            await BusControl.RequestAsync(server.ControlPath, good.Replace("\"app\":0", "\"app\":\"junk\""), cts.Token));
        Assert.Equal("error adopt: not the JSON of a connection", await BusControl.RequestAsync(server.ControlPath, "adopt", cts.Token));
        Assert.Equal(0, (await BusControl.QueryAsync(server.ControlPath, "count", cts.Token)).GetProperty("connections").GetInt32());
    }

    /// <summary>Any process of the server's user may send `adopt`, and an adopted
    /// connection still there at --shutdown-timeout has its app's group SIGKILLed: a pid
    /// that is not the adopting process's own child, leading its own group, is not taken.</summary>
    [Fact]
    public async Task Adopt_AppPidNotTheAdoptersChild_NotTaken()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // A group leader that is nobody's child here (its bash parent exits at once).
        var spawner = Process.Start(new ProcessStartInfo("bash", ["-c", "setsid sleep 60 >/dev/null 2>&1 & echo $!"])
            { RedirectStandardOutput = true })!;
        int bystanderPid = int.Parse((await spawner.StandardOutput.ReadLineAsync(cts.Token))!);
        await spawner.WaitForExitAsync(cts.Token);
        using var bystander = Process.GetProcessById(bystanderPid);
        await Task.Delay(200, cts.Token); // setsid has exec'd sleep: it leads its own group
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        string request = "adopt {\"id\":\"00000000000000aa\",\"user\":null,\"path\":\"/a\",\"remote\":\"127.0.0.1:1\"," +
            $"\"app\":{bystander.Id},\"since\":\"2026-11-22T10:00:00+00:00\"}}";
        using var socket = await AdoptAsync(server.ControlPath, request, cts.Token);

        // The adopter here is this test process, so the server is not stopped (it would kill
        // the adopter at the timeout): the app pid it kept is what a stop would signal.
        var list = await BusControl.QueryAsync(server.ControlPath, "list", cts.Token);
        Assert.Equal(0, Assert.Single(list.EnumerateArray()).GetProperty("app").GetInt32());
        Assert.False(bystander.HasExited);
        bystander.Kill();
    }

    /// <summary>`list` once every connection's app pid is known (it is 0 for a moment after
    /// the connection opens).</summary>
    private static async Task<JsonElement> ListWithAppPidsAsync(SupervisorProcess server, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var list = await BusControl.QueryAsync(server.ControlPath, "list", cancellation);
            if (list.EnumerateArray().All(c => c.GetProperty("app").GetInt32() > 0) || DateTime.UtcNow > deadline)
                return list;
            await Task.Delay(20, cancellation);
        }
    }

    /// <summary>Sends an `adopt` line as this process (root, the server's user) and checks it
    /// was taken; the connection is the adopted worker's channel while it stays open.</summary>
    private static async Task<System.Net.Sockets.Socket> AdoptAsync(string controlPath, string request, CancellationToken cancellation)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream,
            System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(controlPath), cancellation);
        await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(request + "\n"), System.Net.Sockets.SocketFlags.None, cancellation);
        byte[] answer = new byte[64];
        int n = await socket.ReceiveAsync(answer, System.Net.Sockets.SocketFlags.None, cancellation);
        Assert.Equal("ok adopted\n", System.Text.Encoding.ASCII.GetString(answer, 0, n));
        return socket;
    }

    /// <summary>One request line on the control socket from a process running as nobody
    /// (nogroup, no other groups), and its answer line.</summary>
    private static async Task<string> RunAsNobodyAsync(string controlPath, string line, CancellationToken cancellation)
    {
        const string Client = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sys.argv[1])
            s.sendall(sys.argv[2].encode() + b"\n")
            s.shutdown(socket.SHUT_WR)
            sys.stdout.write(s.makefile().readline())
            """;
        var start = new ProcessStartInfo("setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", "--", "/usr/bin/python3", "-c", Client, controlPath, line])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        string stdout = await process.StandardOutput.ReadToEndAsync(cancellation);
        string stderr = await process.StandardError.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation);
        Assert.True(process.ExitCode == 0, $"the client as nobody failed: {stderr}");
        return stdout.TrimEnd('\n');
    }
}
