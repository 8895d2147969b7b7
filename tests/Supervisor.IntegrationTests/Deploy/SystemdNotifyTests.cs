using System.Net.Sockets;
using System.Text;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Deploy;

/// <summary>
/// Type=notify readiness, with the test as systemd: a datagram socket named in
/// NOTIFY_SOCKET (a path, or an abstract name written "@name") gets READY=1 once the
/// server accepts connections and STOPPING=1 on SIGTERM; no worker inherits the variable.
/// </summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ws-supervisor-test-notify-").FullName;

    [Fact]
    public async Task Notify_PathSocket_ReadyWhenListeningStoppingOnSigterm_WorkersNotTold()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string path = Path.Combine(_dir, "notify");
        using var systemd = Listen(new UnixDomainSocketEndPoint(path));
        using var server = SupervisorProcess.Start(["--dir=worker-scripts"], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path });

        string ready = await ReceiveAsync(systemd, cts.Token);
        Assert.Contains("READY=1\n", ready);
        Assert.Contains($"STATUS=Listening on ws://127.0.0.1:{server.Port}/\n", ready);

        using var client = await WsClient.ConnectAsync(server.Url("/echo.sh?notified"), cts.Token);
        await client.AssertEchoesAsync("after READY=1", cts.Token);
        var (workerPid, appPid, _) = await server.WaitForOpenedAsync("/echo.sh?notified", TimeSpan.FromSeconds(5));
        foreach (int pid in new[] { workerPid, appPid })
            Assert.DoesNotContain("NOTIFY_SOCKET=", File.ReadAllText($"/proc/{pid}/environ"));

        server.Signal(Signals.SIGTERM);
        Assert.Contains("STOPPING=1\n", await ReceiveAsync(systemd, cts.Token));
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Notify_AbstractSocket_Ready()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string name = $"ws-supervisor-test-{Guid.NewGuid():N}";
        using var systemd = Listen(new UnixDomainSocketEndPoint("\0" + name));
        using var server = SupervisorProcess.Start(["--dir=worker-scripts"], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = "@" + name });

        Assert.Contains("READY=1\n", await ReceiveAsync(systemd, cts.Token));
    }

    [Fact]
    public async Task Notify_NoListener_ServerStillServesAndSaysWhy()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string path = Path.Combine(_dir, "nobody-listens");
        using var server = SupervisorProcess.Start(["--dir=worker-scripts"], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path });

        await WsClient.AssertServerEchoesAsync(server.Url("/echo.sh"), cts.Token);
        Assert.Contains(server.StderrLines, l => l.Contains($"cannot notify systemd at NOTIFY_SOCKET={path}"));
    }

    private static Socket Listen(UnixDomainSocketEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(endpoint);
        return socket;
    }

    private static async Task<string> ReceiveAsync(Socket socket, CancellationToken cancellation)
    {
        var buffer = new byte[4096];
        int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
