using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Bus;

/// <summary>The corners of the control protocol and of --max-message (docs/bus.md): a
/// request is refused with a line saying what is wrong rather than half understood.</summary>
public sealed class ControlProtocolEdgesTests
{
    [Fact]
    public async Task MalformedRequests_EachAnsweredWithWhatIsWrong_NothingSent()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/room"), cts.Token);
        string id = await BusControl.NewConnectionIdAsync(server, new List<string>(), cts.Token);

        string[] answers = await BusControl.RequestAsync(server.ControlPath,
        [
            " help",                 // a leading space is not an empty request
            "broadcast",             // no TEXT at all
            $"send conn {id}",
            "send path /room",
            "send path room x",      // a path starts with '/'
            "count extra",
            "list extra",
            "help me",
            "send conn " + id + " ", // an explicitly empty TEXT is an empty message
            "broadcast last",
        ], cts.Token);

        Assert.Equal(
        [
            "ok commands: broadcast TEXT | send user|conn|path TARGET TEXT | count | list | help",
            "error broadcast needs TEXT: broadcast TEXT",
            "error send needs TEXT: send user|conn|path TARGET TEXT",
            "error send needs TEXT: send user|conn|path TARGET TEXT",
            "error a path starts with '/', got 'room'",
            "error count takes nothing after it",
            "error list takes nothing after it",
            "error help takes nothing after it",
            "ok 1",
            "ok 1",
        ], answers);
        Assert.Equal("", await client.ReceiveTextAsync(cts.Token));
        Assert.Equal("last", await client.ReceiveTextAsync(cts.Token));
    }

    /// <summary>Each byte of invalid UTF-8 becomes U+FFFD, three bytes: 600 bytes of 0xFF
    /// within --max-message=1000 would be a 1,800-byte message. The limit holds for the
    /// message as sent, through the FIFO and the control socket alike.</summary>
    [Fact]
    public async Task InvalidUtf8_LimitCheckedAfterRepair_FifoAndControl()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--max-message=1000", Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url(), cts.Token);
        await BusControl.WaitForConnectionsAsync(server, 1, TimeSpan.FromSeconds(5), cts.Token);
        byte[] invalid = Enumerable.Repeat((byte)0xFF, 600).ToArray();

        using (var fifo = new FileStream(server.FifoPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0))
            fifo.Write([.. invalid, (byte)'\n', .. "fifo after\n"u8]);
        Assert.Equal("fifo after", await client.ReceiveTextAsync(cts.Token));
        await server.WaitForLogAsync(new Regex(@"WRN .*global FIFO: dropped a line of 1800 bytes once invalid UTF-8 was replaced, over --max-message \(1000 bytes\)"),
            TimeSpan.FromSeconds(5));

        using var control = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await control.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(server.ControlPath), cts.Token);
        await control.SendAsync((byte[])[.. "broadcast "u8, .. invalid, (byte)'\n', .. "broadcast control after\n"u8], System.Net.Sockets.SocketFlags.None, cts.Token);
        control.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        string answers = System.Text.Encoding.UTF8.GetString(await RawHttp.ReadToEndAsync(control, cts.Token));
        Assert.Equal("error message of 1800 bytes (invalid UTF-8 replaced) is over --max-message (1000 bytes)\nok 1\n", answers);
        Assert.Equal("control after", await client.ReceiveTextAsync(cts.Token));
    }
}
