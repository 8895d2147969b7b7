using System.Net;
using System.Net.Sockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>Every failure to start prints one line on stderr and exits non-zero (2 for a
/// usage mistake).</summary>
public sealed class UsageErrorTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Usage_UnknownFlag_ExitTwoWithOneLine()
    {
        var (code, stdout, stderr) = SupervisorProcess.RunToExit(["--no-such-flag=1", Paths.Script("echo.sh")], RunTimeout);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("no-such-flag", Assert.Single(Lines(stderr)));
    }

    [Fact]
    public void Usage_MissingCommandFile_ExitTwoWithOneLine()
    {
        var (code, _, stderr) = SupervisorProcess.RunToExit(["--port=1", Path.Combine(Paths.WorkerScripts, "does-not-exist.sh")], RunTimeout);

        Assert.Equal(2, code);
        Assert.Contains("does-not-exist.sh", Assert.Single(Lines(stderr)));
    }

    [Fact]
    public void Startup_PortHeldByAnotherSupervisor_SecondOneRefusesToStart()
    {
        // Both would bind if the listener set SO_REUSEPORT (.NET's ReuseAddress does on
        // Linux), and the kernel would then split new connections between the two.
        using var first = SupervisorProcess.Start(Paths.Script("echo.sh"));
        string runDir = Directory.CreateTempSubdirectory("ws-supervisor-test-").FullName;

        var (code, _, stderr) = SupervisorProcess.RunToExit(
            [$"--port={first.Port}", $"--run-dir={runDir}", Paths.Script("echo.sh")], RunTimeout);
        Directory.Delete(runDir, recursive: true);

        Assert.Equal(1, code);
        Assert.Contains("Address already in use", Assert.Single(Lines(stderr)));
    }

    [Fact]
    public void Startup_PortInUse_NonZeroWithOneLine()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        int port = ((IPEndPoint)holder.LocalEndPoint!).Port;

        var (code, _, stderr) = SupervisorProcess.RunToExit([$"--port={port}", Paths.Script("echo.sh")], RunTimeout);

        Assert.NotEqual(0, code);
        Assert.Contains(port.ToString(), Assert.Single(Lines(stderr)));
    }

    [Fact]
    public async Task Port_Zero_OsPicksAFreePortAndServes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh")); // the helper passes --port=0

        Assert.InRange(server.Port, 1, 65535);
        await WsClient.AssertServerEchoesAsync(server.Url(), cts.Token);
    }

    [Fact]
    public void Version_Flag_PrintsVersionAndExitsZero()
    {
        var (code, stdout, _) = SupervisorProcess.RunToExit(["--version"], RunTimeout);

        Assert.Equal(0, code);
        Assert.Matches(@"^ws-supervisor \d+\.\d+\.\d+\n$", stdout);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
