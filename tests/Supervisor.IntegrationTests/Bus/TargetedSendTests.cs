using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Bus;

/// <summary>
/// Targeted pushes reach exactly the addressed connections. Every test ends with a
/// broadcast "end": each client must then have received its own targeted messages and
/// nothing else before it, which proves the others got nothing. Each target kind is sent
/// both with the CLI and with a raw request on the control socket.
/// </summary>
public sealed class TargetedSendTests
{
    private const string End = "end";

    [Fact]
    public async Task SendConn_CliAndControlSocket_OnlyThatConnectionReceives()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        var known = new List<string>();
        var clients = new List<ClientWebSocket>();
        var ids = new List<string>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                clients.Add(await WsClient.ConnectAsync(server.Url($"/client/{i}"), cts.Token));
                ids.Add(await BusControl.NewConnectionIdAsync(server, known, cts.Token));
            }

            var cli = BusControl.RunCli("send", $"--run-dir={server.RunDir}", $"--conn={ids[1]}", "for", "one");
            Assert.Equal((0, "sent to 1 connection\n", ""), (cli.ExitCode, cli.Stdout, cli.Stderr));
            Assert.Equal("ok 1", await BusControl.RequestAsync(server.ControlPath, $"send conn {ids[3]} for three", cts.Token));
            BroadcastEnd(server);

            Assert.Equal([End], await clients[0].ReceiveThroughAsync(End, cts.Token));
            Assert.Equal(["for one", End], await clients[1].ReceiveThroughAsync(End, cts.Token));
            Assert.Equal([End], await clients[2].ReceiveThroughAsync(End, cts.Token));
            Assert.Equal(["for three", End], await clients[3].ReceiveThroughAsync(End, cts.Token));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task SendConn_UnknownId_ErrorAndNonZeroExit()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));

        Assert.Equal("error no connection 0123456789abcdef",
            await BusControl.RequestAsync(server.ControlPath, "send conn 0123456789abcdef hello", cts.Token));
        var cli = BusControl.RunCli("send", $"--run-dir={server.RunDir}", "--conn=0123456789abcdef", "hello");
        Assert.Equal(1, cli.ExitCode);
        Assert.Equal("", cli.Stdout);
        Assert.Equal("ws-supervisor send: no connection 0123456789abcdef\n", cli.Stderr);
    }

    [Fact]
    public async Task SendPath_TwoApps_OnlyThatAppsClientsReceive()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start("--dir=worker-scripts");
        // chat.sh prints nothing unless its client talks, so both apps stay quiet.
        string[] paths = ["/echo.sh", "/echo.sh/room/1?x=y", "/chat.sh", "/chat.sh?name=bo"];
        var clients = new List<ClientWebSocket>();
        try
        {
            foreach (string path in paths)
                clients.Add(await WsClient.ConnectAsync(server.Url(path), cts.Token));
            await BusControl.WaitForConnectionsAsync(server, paths.Length, TimeSpan.FromSeconds(5), cts.Token);

            var cli = BusControl.RunCli("send", $"--run-dir={server.RunDir}", "--path", "/echo.sh", "to echo");
            Assert.Equal((0, "sent to 2 connections\n"), (cli.ExitCode, cli.Stdout));
            Assert.Equal("ok 2", await BusControl.RequestAsync(server.ControlPath, "send path /chat.sh to chat", cts.Token));
            // The path is the app's (SCRIPT_NAME), not the request's.
            Assert.Equal("ok 0", await BusControl.RequestAsync(server.ControlPath, "send path /echo.sh/room/1 nobody", cts.Token));
            Assert.Equal("ok 0", await BusControl.RequestAsync(server.ControlPath, "send path /nothing.sh nobody", cts.Token));
            BroadcastEnd(server);

            Assert.Equal(["to echo", End], await clients[0].ReceiveThroughAsync(End, cts.Token));
            Assert.Equal(["to echo", End], await clients[1].ReceiveThroughAsync(End, cts.Token));
            Assert.Equal(["to chat", End], await clients[2].ReceiveThroughAsync(End, cts.Token));
            Assert.Equal(["to chat", End], await clients[3].ReceiveThroughAsync(End, cts.Token));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task SendUser_AuthenticatedClients_EveryConnectionOfThatUserAndNoOther()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start($"--auth={Paths.Script("auth-token.sh")}", Paths.Script("echo.sh"));
        string[] tokens = ["user-42", "user-7", "user-42", "user-420"];
        var clients = new List<ClientWebSocket>();
        try
        {
            foreach (string token in tokens)
                clients.Add(await WsClient.ConnectAsync(server.Url($"/?token={token}"), cts.Token));
            await BusControl.WaitForConnectionsAsync(server, tokens.Length, TimeSpan.FromSeconds(5), cts.Token);

            var cli = BusControl.RunCli("send", $"--run-dir={server.RunDir}", "--user=42", "{\"progress\": 40}");
            Assert.Equal((0, "sent to 2 connections\n", ""), (cli.ExitCode, cli.Stdout, cli.Stderr));
            Assert.Equal("ok 2", await BusControl.RequestAsync(server.ControlPath, "send user 42 hi", cts.Token));
            Assert.Equal("ok 1", await BusControl.RequestAsync(server.ControlPath, "send user 7 only seven", cts.Token));
            Assert.Equal("ok 0", await BusControl.RequestAsync(server.ControlPath, "send user 4 prefix of nobody", cts.Token));
            BroadcastEnd(server);

            Assert.Equal(["{\"progress\": 40}", "hi", End], await clients[0].ReceiveThroughAsync(End, cts.Token));
            Assert.Equal(["only seven", End], await clients[1].ReceiveThroughAsync(End, cts.Token));
            Assert.Equal(["{\"progress\": 40}", "hi", End], await clients[2].ReceiveThroughAsync(End, cts.Token));
            Assert.Equal([End], await clients[3].ReceiveThroughAsync(End, cts.Token));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Auth_TokenExample_RefusesABadTokenWith403AndItsReason()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start($"--auth={Paths.Script("auth-token.sh")}", Paths.Script("echo.sh"));

        var refused = await RawHttp.ExchangeAsync(server.Port, RawHttp.UpgradeHead("/?token=admin"), cts.Token);

        Assert.StartsWith("HTTP/1.1 403 ", refused.StatusLine);
        Assert.Contains("bad token", refused.Body);
        Assert.Equal("ok 0", await BusControl.RequestAsync(server.ControlPath, "broadcast nobody is connected", cts.Token));
    }

    [Fact]
    public async Task ControlSocket_SeveralRequestsOnOneConnection_OneAnswerLineEachInOrder()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url(), cts.Token);
        await BusControl.WaitForConnectionsAsync(server, 1, TimeSpan.FromSeconds(5), cts.Token);

        string[] answers = await BusControl.RequestAsync(server.ControlPath,
            ["broadcast one", "send user nobody x", "frobnicate", "send room 1 x", "send user", "help", "broadcast two"], cts.Token);

        Assert.Equal(7, answers.Length);
        Assert.Equal("ok 1", answers[0]);
        Assert.Equal("ok 0", answers[1]);
        Assert.Equal("error unknown command 'frobnicate' (try: help)", answers[2]);
        Assert.StartsWith("error send to what?", answers[3]);
        Assert.StartsWith("error send needs a target", answers[4]);
        Assert.StartsWith("ok commands: broadcast TEXT | send user|conn|path TARGET TEXT | count | list", answers[5]);
        Assert.Equal("ok 1", answers[6]);
        Assert.Equal("one", await client.ReceiveTextAsync(cts.Token));
        Assert.Equal("two", await client.ReceiveTextAsync(cts.Token));
    }

    [Fact]
    public async Task ControlSocket_LastRequestWithoutNewline_StillAnswered()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var socket = new Socket(AddressFamily.Unix,
            SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(server.ControlPath), cts.Token);

        // PHP's fwrite($conn, "count") then fclose-for-writing: no newline.
        await socket.SendAsync("count"u8.ToArray(), SocketFlags.None, cts.Token);
        socket.Shutdown(SocketShutdown.Send);

        Assert.Equal("ok {\"connections\":0,\"users\":0,\"paths\":{}}\n",
            Encoding.UTF8.GetString(await RawHttp.ReadToEndAsync(socket, cts.Token)));
    }

    private static void BroadcastEnd(SupervisorProcess server)
    {
        var cli = BusControl.RunCli("broadcast", $"--run-dir={server.RunDir}", End);
        Assert.Equal(0, cli.ExitCode);
        Assert.Matches(@"^sent to \d+ connections?\n$", cli.Stdout);
    }
}
