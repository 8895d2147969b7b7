using System.Net.WebSockets;
using System.Text.Json;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Bus;

/// <summary>Presence: `count`, `list` and `ws-supervisor status` say how many are
/// connected, how many distinct users, and to which app, and follow clients leaving.</summary>
public sealed class PresenceTests
{
    [Fact]
    public async Task CountListStatus_UsersOnTwoApps_RightTotalsUniqueUsersAndPerPath()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start("--dir=worker-scripts", $"--auth={Paths.Script("auth-token.sh")}");
        (string Path, string User)[] connections =
            [("/echo.sh", "42"), ("/echo.sh/room/9", "42"), ("/chat.sh", "42"), ("/echo.sh", "7")];
        var clients = new List<ClientWebSocket>();
        try
        {
            foreach (var (path, user) in connections)
                clients.Add(await WsClient.ConnectAsync(server.Url($"{path}?token=user-{user}"), cts.Token));
            await BusControl.WaitForConnectionsAsync(server, connections.Length, TimeSpan.FromSeconds(5), cts.Token);

            var count = await BusControl.QueryAsync(server.ControlPath, "count", cts.Token);
            Assert.Equal(4, count.GetProperty("connections").GetInt32());
            Assert.Equal(2, count.GetProperty("users").GetInt32());
            Assert.Equal(new Dictionary<string, int> { ["/chat.sh"] = 1, ["/echo.sh"] = 3 },
                count.GetProperty("paths").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()));

            var list = await WaitForAppPidsAsync(server, cts.Token);
            Assert.Equal(["/chat.sh", "/echo.sh", "/echo.sh", "/echo.sh"], list.Select(c => c.GetProperty("path").GetString()).Order());
            Assert.Equal(["42", "42", "42", "7"], list.Select(c => c.GetProperty("user").GetString()).Order());
            Assert.All(list, c =>
            {
                Assert.Matches("^[0-9a-f]{16}$", c.GetProperty("id").GetString());
                Assert.Matches(@"^127\.0\.0\.1:\d+$", c.GetProperty("remote").GetString());
                Assert.True(ProcTree.IsAlive(c.GetProperty("worker").GetInt32()), "list names a worker that is not running");
                Assert.Equal(0, c.GetProperty("dropped").GetInt64());
                Assert.True(DateTimeOffset.TryParse(c.GetProperty("since").GetString(), out _));
            });
            Assert.Equal(server.ServingWorkers().Select(w => w.Pid).Order(), list.Select(c => c.GetProperty("worker").GetInt32()).Order());

            var json = BusControl.RunCli("status", "--json", $"--run-dir={server.RunDir}");
            Assert.Equal(0, json.ExitCode);
            var status = JsonDocument.Parse(json.Stdout).RootElement;
            Assert.Equal(4, status.GetProperty("count").GetProperty("connections").GetInt32());
            Assert.Equal(2, status.GetProperty("count").GetProperty("users").GetInt32());
            Assert.Equal(4, status.GetProperty("connections").GetArrayLength());

            var table = BusControl.RunCli("status", $"--run-dir={server.RunDir}");
            Assert.Equal(0, table.ExitCode);
            string[] lines = table.Stdout.Split('\n');
            Assert.Equal("connections: 4   unique users: 2", lines[0]);
            Assert.Matches(@"^\s+/chat\.sh\s+1$", lines[1]);
            Assert.Matches(@"^\s+/echo\.sh\s+3$", lines[2]);
            foreach (var c in list)
                Assert.Contains(lines, l => l.StartsWith(c.GetProperty("id").GetString()!, StringComparison.Ordinal));

            // A user leaving: user 7's only connection closes.
            await clients[3].CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
            await BusControl.WaitForConnectionsAsync(server, 3, TimeSpan.FromSeconds(5), cts.Token);
            count = await BusControl.QueryAsync(server.ControlPath, "count", cts.Token);
            Assert.Equal(1, count.GetProperty("users").GetInt32());
            Assert.Equal(2, count.GetProperty("paths").GetProperty("/echo.sh").GetInt32());
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task CountAndStatus_NoAuth_ConnectionsCountedUsersZero()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var a = await WsClient.ConnectAsync(server.Url("/a"), cts.Token);
        using var b = await WsClient.ConnectAsync(server.Url("/b?x=1"), cts.Token);
        await BusControl.WaitForConnectionsAsync(server, 2, TimeSpan.FromSeconds(5), cts.Token);

        var count = await BusControl.QueryAsync(server.ControlPath, "count", cts.Token);
        Assert.Equal(0, count.GetProperty("users").GetInt32());
        // One command at every path: the path is the URL's (its SCRIPT_NAME), query left out.
        Assert.Equal(new Dictionary<string, int> { ["/a"] = 1, ["/b"] = 1 },
            count.GetProperty("paths").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()));
        var list = await BusControl.QueryAsync(server.ControlPath, "list", cts.Token);
        Assert.All(list.EnumerateArray(), c => Assert.Equal(JsonValueKind.Null, c.GetProperty("user").ValueKind));

        var table = BusControl.RunCli("status", $"--run-dir={server.RunDir}");
        Assert.Equal(0, table.ExitCode);
        Assert.StartsWith("connections: 2   unique users: 0\n", table.Stdout);
    }

    /// <summary>`list` once every app pid is known (the worker reports it just after the
    /// connection opens).</summary>
    private static async Task<List<JsonElement>> WaitForAppPidsAsync(SupervisorProcess server, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var list = (await BusControl.QueryAsync(server.ControlPath, "list", cancellation)).EnumerateArray().ToList();
            if (list.All(c => c.GetProperty("app").GetInt32() > 0))
                return list;
            Assert.True(DateTime.UtcNow < deadline, $"list still has app pids of 0: {string.Join(", ", list)}");
            await Task.Delay(20, cancellation);
        }
    }
}
