using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// The FIFO and the control socket are never open to every user of the host, and every
/// push through the control socket is logged with who sent it (SO_PEERCRED uid, user,
/// pid) and what it did — but not what it said.
/// </summary>
public sealed class ControlPlaneTests
{
    [Theory]
    [InlineData("0666")]
    [InlineData("0662")]
    [InlineData("0664")]
    [InlineData("0777")]
    [InlineData("0601")]
    public void BusMode_OpenToOtherUsers_OneLineUsageError(string mode)
    {
        var (exitCode, _, stderr) = SupervisorProcess.RunToExit([$"--bus-mode={mode}", Paths.Script("echo.sh")], TimeSpan.FromSeconds(10));

        Assert.Equal(2, exitCode);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"ws-supervisor: --bus-mode={mode}: gives every user of this host access", stderr);
    }

    [Fact]
    public void Bus_Default_FifoAndSocketAre0660()
    {
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));

        Assert.Equal(AppFolder.Mode("660"), File.GetUnixFileMode(server.FifoPath));
        Assert.Equal(AppFolder.Mode("660"), File.GetUnixFileMode(server.ControlPath));
    }

    [Fact]
    public async Task Control_SendWithHostileTarget_LoggedAtInfoWithSenderAndNoText()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--dir=worker-scripts");
        using var held = await WsClient.ConnectAsync(server.Url("/echo.sh"), cts.Token);
        await held.AssertEchoesAsync("connected before the pushes", cts.Token);

        // A target with an escape sequence and a newline-free forged log line in it.
        string answers = await ControlAsync(server.ControlPath,
            "send user ev\u001b[2Jil secret words\nbroadcast hello everyone\ncount\n", cts.Token);

        Assert.Equal("ok 0\nok 1\n", answers[..answers.LastIndexOf("ok {", StringComparison.Ordinal)]);
        Assert.Equal("hello everyone", await held.ReceiveTextAsync(cts.Token));
        string me = $"from uid 0 \\(root\\) pid {Environment.ProcessId}";
        if (Environment.IsPrivilegedProcess)
        {
            await server.WaitForLogAsync(new Regex($@" INF acceptor\[\d+\] control: send user ev\?\[2Jil \(12 bytes\) {me}: ok 0$"), TimeSpan.FromSeconds(5));
            await server.WaitForLogAsync(new Regex($@" INF acceptor\[\d+\] control: broadcast \(14 bytes\) {me}: ok 1$"), TimeSpan.FromSeconds(5));
        }
        else
        {
            await server.WaitForLogAsync(new Regex($@" INF acceptor\[\d+\] control: broadcast \(14 bytes\) from uid \d+ \(.+\) pid {Environment.ProcessId}: ok 1$"), TimeSpan.FromSeconds(5));
        }
        Assert.DoesNotContain("secret words", server.Stderr);
        Assert.DoesNotContain("hello everyone", server.Stderr);
        Assert.DoesNotMatch(new Regex(" INF .*control: count"), server.Stderr); // read-only: debug level
        await held.AssertEchoesAsync("still here", cts.Token);
    }

    private static async Task<string> ControlAsync(string path, string requests, CancellationToken cancellation)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellation);
        await socket.SendAsync(Encoding.UTF8.GetBytes(requests), SocketFlags.None, cancellation);
        socket.Shutdown(SocketShutdown.Send);
        return Encoding.UTF8.GetString(await RawHttp.ReadToEndAsync(socket, cancellation));
    }
}
