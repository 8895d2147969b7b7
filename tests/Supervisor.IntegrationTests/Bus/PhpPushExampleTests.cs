using System.Diagnostics;
using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Bus;

/// <summary>The two PHP examples of docs/bus.md (kept as files in php/ and quoted there
/// verbatim), run with php-cli against a real server: push to everyone through the FIFO,
/// push to one user through the control socket, and fail fast when the server is down.</summary>
public sealed class PhpPushExampleTests
{
    private static string Example(string name) => Path.Combine(Paths.RepoRoot, "tests", "Supervisor.IntegrationTests", "php", name);

    [Fact]
    public async Task PhpExamples_FifoAndControlSocket_ReachTheAddressedClients()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start($"--auth={Paths.Script("auth-token.sh")}", Paths.Script("echo.sh"));
        string[] tokens = ["user-42", "user-7", "user-42"];
        var clients = new List<ClientWebSocket>();
        try
        {
            foreach (string token in tokens)
                clients.Add(await WsClient.ConnectAsync(server.Url($"/?token={token}"), cts.Token));
            await BusControl.WaitForConnectionsAsync(server, tokens.Length, TimeSpan.FromSeconds(5), cts.Token);

            Assert.Equal((0, "2\n", ""), RunPhp("push-control.php", "WS_CONTROL_SOCKET", server.ControlPath));
            Assert.Equal((0, "", ""), RunPhp("push-fifo.php", "WS_FIFO", server.FifoPath));

            // The FIFO and the control socket are read independently, so "end" is sent only
            // once the FIFO's line has arrived: it marks that nothing else came in between.
            const string Progress = "{\"progress\":40}";
            const string Deploy = "{\"event\":\"deploy\",\"status\":\"finished\"}";
            Assert.Equal([Progress, Deploy], await clients[0].ReceiveThroughAsync(Deploy, cts.Token));
            Assert.Equal([Deploy], await clients[1].ReceiveThroughAsync(Deploy, cts.Token));
            Assert.Equal([Progress, Deploy], await clients[2].ReceiveThroughAsync(Deploy, cts.Token));
            Assert.Equal("ok 3", await BusControl.RequestAsync(server.ControlPath, "broadcast end", cts.Token));
            foreach (var client in clients)
                Assert.Equal(["end"], await client.ReceiveThroughAsync("end", cts.Token));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public void PhpExamples_ServerStopped_FailAtOnceAndLeaveTheFifoAlone()
    {
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        Assert.True(server.Signal(Signals.SIGTERM));
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(10)));

        var clock = Stopwatch.StartNew();
        var fifo = RunPhp("push-fifo.php", "WS_FIFO", server.FifoPath);
        var control = RunPhp("push-control.php", "WS_CONTROL_SOCKET", server.ControlPath);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the PHP examples took {clock.ElapsedMilliseconds} ms against a stopped server");
        Assert.Equal(1, fifo.ExitCode);
        Assert.Equal("fifo", BusControl.FileKind(server.FifoPath));
        Assert.NotEqual(0, control.ExitCode);
        Assert.Contains("ws-supervisor is not running", control.Stderr + control.Stdout);

        // No FIFO at all (the server never ran): no regular file is created in its place.
        string missing = Path.Combine(server.RunDir, "never.fifo");
        Assert.Equal(1, RunPhp("push-fifo.php", "WS_FIFO", missing).ExitCode);
        Assert.False(File.Exists(missing), "the FIFO example created a file where the FIFO should be");
    }

    [Theory]
    [InlineData("push-fifo.php")]
    [InlineData("push-control.php")]
    public void DocsBus_PhpExample_QuotedVerbatim(string name)
    {
        string docs = File.ReadAllText(Path.Combine(Paths.RepoRoot, "docs", "bus.md"));

        Assert.Contains($"```php\n{File.ReadAllText(Example(name))}```", docs);
    }

    private static (int ExitCode, string Stdout, string Stderr) RunPhp(string example, string variable, string value)
    {
        var info = new ProcessStartInfo("php", [Example(example)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment[variable] = value;
        using var php = Process.Start(info)!;
        var stdout = php.StandardOutput.ReadToEndAsync();
        var stderr = php.StandardError.ReadToEndAsync();
        if (!php.WaitForExit(10_000))
        {
            php.Kill();
            Assert.Fail($"php {example} did not exit within 10 s");
        }
        php.WaitForExit();
        return (php.ExitCode, stdout.Result, stderr.Result);
    }
}
