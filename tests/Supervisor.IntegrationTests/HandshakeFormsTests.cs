using System.Net.Sockets;
using System.Text;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// Heads no browser sends but HTTP/1.1 says a server must (or should) take: an
/// absolute-form target (RFC 9112 §3.2.2), empty lines before the request line (§2.2),
/// "Content-Length: 0", "Expect: 100-continue", and the Host forms proxies forward. Each
/// gets its 101, and a first frame sent in the same write still reaches the app: the
/// acceptor took the head and not a byte more.
/// </summary>
public sealed class HandshakeFormsTests
{
    private static string Head(string requestLine, params string[] extraLines) =>
        RawHttp.UpgradeHead("/", extraLines).Replace("GET / HTTP/1.1", requestLine, StringComparison.Ordinal);

    [Theory]
    [InlineData("http://127.0.0.1:{0}/echo")]
    [InlineData("HTTPS://127.0.0.1:{0}/echo?x=1")]   // schemes are case-insensitive
    [InlineData("ws://localhost:{0}")]               // an empty path means "/"
    [InlineData("wss://[::1]:{0}/")]
    public async Task Handshake_AbsoluteFormTarget_101AndFirstFrameEchoed(string target)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));

        string head = Head($"GET {string.Format(target, server.Port)} HTTP/1.1");

        await AssertUpgradedAndFirstFrameEchoedAsync(server.Port, head, cts.Token);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Handshake_EmptyLinesBeforeRequestLine_101AndFirstFrameEchoed(int emptyLines)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));

        string head = string.Concat(Enumerable.Repeat("\r\n", emptyLines)) + RawHttp.UpgradeHead();

        await AssertUpgradedAndFirstFrameEchoedAsync(server.Port, head, cts.Token);
    }

    [Theory]
    [InlineData("Content-Length: 0")]          // announces no body (some clients send it)
    [InlineData("Expect: 100-continue")]       // no body to wait for: ignored, no 100 sent
    [InlineData("Content-Length: 0", "Expect: 100-Continue")]
    public async Task Handshake_NoBodyAnnounced_101AndFirstFrameEchoed(params string[] lines)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));

        await AssertUpgradedAndFirstFrameEchoedAsync(server.Port, RawHttp.UpgradeHead("/", lines), cts.Token);
    }

    [Theory]
    [InlineData("localhost")]             // nginx's $host: no port
    [InlineData("127.0.0.1:8080")]
    [InlineData("[::1]:8080")]
    [InlineData("my_app:8080")]           // a container's name: '_' is unreserved (RFC 3986 §2.3)
    [InlineData("xn--caf-dma.example")]   // an IDN, as browsers send it
    public async Task Handshake_HostFormsProxiesForward_101(string host)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));

        string head = RawHttp.UpgradeHead().Replace("Host: 127.0.0.1\r\n", $"Host: {host}\r\n", StringComparison.Ordinal);

        await AssertUpgradedAndFirstFrameEchoedAsync(server.Port, head, cts.Token);
    }

    /// <summary>Sends <paramref name="head"/> and a first frame in one write; expects the
    /// 101 and then that frame's echo.</summary>
    private static async Task AssertUpgradedAndFirstFrameEchoedAsync(int port, string head, CancellationToken cancellation)
    {
        using var socket = await RawHttp.ConnectAsync(port, cancellation);
        byte[] frame =
        [
            0x81,                   // FIN=1, opcode 0x1 (text)
            0x82,                   // MASK=1, payload length 2
            0x00, 0x00, 0x00, 0x00, // masking key of zeros: the payload reads as sent
            (byte)'h', (byte)'i',
        ];
        await socket.SendAsync((byte[])[.. Encoding.ASCII.GetBytes(head), .. frame], SocketFlags.None, cancellation);

        var response = await RawHttp.ReadHeadAsync(socket, cancellation);

        Assert.Equal("HTTP/1.1 101 Switching Protocols", response.StatusLine);
        Assert.Equal(RawHttp.SampleAccept, response.Header("Sec-WebSocket-Accept"));
        Assert.Equal(new byte[]
        {
            0x81,       // FIN=1, opcode 0x1 (text)
            0x02,       // unmasked, payload length 2
            (byte)'h', (byte)'i',
        }, await RawHttp.ReadExactlyAsync(socket, 4, cancellation));
    }
}
