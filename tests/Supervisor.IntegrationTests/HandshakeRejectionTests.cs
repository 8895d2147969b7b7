using System.Net.WebSockets;
using System.Text;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// Every request the acceptor refuses gets one exact status line (and the headers that
/// status requires), touches that connection alone, and leaves the acceptor serving.
/// </summary>
public sealed class HandshakeRejectionTests
{
    private static string Head(params string[] lines) => string.Join("\r\n", lines) + "\r\n\r\n";

    private const string Key = "Sec-WebSocket-Key: " + RawHttp.SampleKey;

    public static TheoryData<string, string, string, string?, string?> BadRequests => new()
    {
        // case, request, status line, a header that must be there, its value
        { "garbage request line", "HELLO\r\n\r\n", "HTTP/1.1 400 Bad Request", null, null },
        { "plain GET", Head("GET / HTTP/1.1", "Host: 127.0.0.1"), "HTTP/1.1 400 Bad Request", null, null },
        { "missing Host", Head("GET / HTTP/1.1", "Upgrade: websocket", "Connection: Upgrade", Key, "Sec-WebSocket-Version: 13"),
            "HTTP/1.1 400 Bad Request", null, null },
        { "missing key", Head("GET / HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13"),
            "HTTP/1.1 400 Bad Request", null, null },
        { "key of 3 bytes", Head("GET / HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: YWJj", "Sec-WebSocket-Version: 13"),
            "HTTP/1.1 400 Bad Request", null, null },
        { "Upgrade without websocket", Head("GET / HTTP/1.1", "Host: 127.0.0.1", "Upgrade: h2c", "Connection: Upgrade", Key, "Sec-WebSocket-Version: 13"),
            "HTTP/1.1 400 Bad Request", null, null },
        { "Connection without Upgrade", Head("GET / HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: keep-alive", Key, "Sec-WebSocket-Version: 13"),
            "HTTP/1.1 400 Bad Request", null, null },
        { "POST", Head("POST / HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade", Key, "Sec-WebSocket-Version: 13", "Content-Length: 0"),
            "HTTP/1.1 405 Method Not Allowed", "Allow", "GET" },
        { "version 8", Head("GET / HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade", Key, "Sec-WebSocket-Version: 8"),
            "HTTP/1.1 426 Upgrade Required", "Sec-WebSocket-Version", "13" },
        { "HTTP/1.0", Head("GET / HTTP/1.0", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade", Key, "Sec-WebSocket-Version: 13"),
            "HTTP/1.1 505 HTTP Version Not Supported", null, null },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Handshake_BadRequest_ExactStatusAndAcceptorCarriesOn(
        string name, string request, string statusLine, string? header, string? headerValue)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));

        var response = await RawHttp.ExchangeAsync(server.Port, request, cts.Token);

        Assert.True(statusLine == response.StatusLine, $"{name}: expected \"{statusLine}\", got \"{response.StatusLine}\"");
        if (header is not null)
            Assert.Equal(headerValue, response.Header(header));
        Assert.Equal("close", response.Header("Connection")?.Split(',').Last().Trim(), StringComparer.OrdinalIgnoreCase);
        await WsClient.AssertServerEchoesAsync(server.Url(), cts.Token);
    }

    public static TheoryData<string, string, string, string> LaxHeads => new()
    {
        // case, request, status line, how the body starts
        { "Host with a space", UpgradeWith("Host: a b"), "HTTP/1.1 400 Bad Request", "Invalid Host header" },
        { "Host with a path and userinfo", UpgradeWith("Host: x/y@z"), "HTTP/1.1 400 Bad Request", "Invalid Host header" },
        { "Content-Length abc", UpgradeWith("Host: 127.0.0.1", "Content-Length: abc"), "HTTP/1.1 400 Bad Request", "Invalid Content-Length" },
        { "Content-Length -1", UpgradeWith("Host: 127.0.0.1", "Content-Length: -1"), "HTTP/1.1 400 Bad Request", "Invalid Content-Length" },
        { "Content-Length 1 2", UpgradeWith("Host: 127.0.0.1", "Content-Length: 1 2"), "HTTP/1.1 400 Bad Request", "Invalid Content-Length" },
        { "differing Content-Lengths", UpgradeWith("Host: 127.0.0.1", "Content-Length: 0", "Content-Length: 5"),
            "HTTP/1.1 400 Bad Request", "Invalid Content-Length" },
        { "Content-Length 5 and a body", UpgradeWith("Host: 127.0.0.1", "Content-Length: 5") + "hello",
            "HTTP/1.1 400 Bad Request", "Upgrade requests cannot have a body" },
        { "Transfer-Encoding identity", UpgradeWith("Host: 127.0.0.1", "Transfer-Encoding: identity"),
            "HTTP/1.1 400 Bad Request", "Upgrade requests cannot have a body" },
        { "unknown expectation", UpgradeWith("Host: 127.0.0.1", "Expect: tea"), "HTTP/1.1 417 Expectation Failed", "Unsupported Expect" },
    };

    [Theory]
    [MemberData(nameof(LaxHeads))]
    public async Task Handshake_HeadOnceLetThrough_RefusedWithItsReasonAndAcceptorCarriesOn(
        string name, string request, string statusLine, string bodyStart)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var socket = await RawHttp.ConnectAsync(server.Port, cts.Token);

        await socket.SendAsync(Encoding.Latin1.GetBytes(request), System.Net.Sockets.SocketFlags.None, cts.Token);
        var head = await RawHttp.ReadHeadAsync(socket, cts.Token); // a 101 would not end the connection

        Assert.True(statusLine == head.StatusLine, $"{name}: expected \"{statusLine}\", got \"{head.StatusLine}\"");
        string body = Encoding.UTF8.GetString(await RawHttp.ReadToEndAsync(socket, cts.Token));
        Assert.StartsWith(bodyStart, body);
        Assert.Equal(Encoding.UTF8.GetByteCount(body).ToString(), head.Header("Content-Length"));
        await WsClient.AssertServerEchoesAsync(server.Url(), cts.Token);
    }

    [Theory]
    [InlineData("Content-Length: 11")]
    [InlineData("Transfer-Encoding: chunked")]
    public async Task Handshake_BodyThatIsAMaskedFrame_400AndNeverReadAsAFrame(string framing)
    {
        // What a review found: the acceptor ignored the body, so the worker took these 11
        // bytes for the client's first frame and echoed "hello".
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var socket = await RawHttp.ConnectAsync(server.Port, cts.Token);
        byte[] frame =
        [
            0x81,                   // FIN=1, opcode 0x1 (text)
            0x85,                   // MASK=1, payload length 5: 11 bytes in all
            0x37, 0xFA, 0x21, 0x3D, // masking key (RFC 6455 §5.7's example)
            0x7F, 0x9F, 0x4D, 0x51, 0x58, // "Hello" masked
        ];
        byte[] body = framing.StartsWith("Content-Length", StringComparison.Ordinal)
            ? frame
            : [.. "b\r\n"u8, .. frame, .. "\r\n0\r\n\r\n"u8]; // one chunk of 0xb = 11 bytes, then the last chunk
        byte[] request = [.. Encoding.ASCII.GetBytes(RawHttp.UpgradeHead("/", framing)), .. body];

        await socket.SendAsync(request, System.Net.Sockets.SocketFlags.None, cts.Token);
        var head = await RawHttp.ReadHeadAsync(socket, cts.Token);

        Assert.Equal("HTTP/1.1 400 Bad Request", head.StatusLine);
        string text = Encoding.UTF8.GetString(await RawHttp.ReadToEndAsync(socket, cts.Token));
        Assert.Equal("Upgrade requests cannot have a body (Transfer-Encoding, or Content-Length other than 0).\n", text);
        Assert.Empty(server.ServingWorkers());
        await WsClient.AssertServerEchoesAsync(server.Url(), cts.Token);
    }

    /// <summary>An upgrade request with these lines in place of the standard Host.</summary>
    private static string UpgradeWith(params string[] lines) =>
        RawHttp.UpgradeHead("/").Replace("Host: 127.0.0.1\r\n", "", StringComparison.Ordinal)[..^2]
        + string.Concat(lines.Select(l => l + "\r\n")) + "\r\n";

    [Fact]
    public async Task Handshake_PlainGet_BodySaysItIsAWebSocketEndpoint()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));

        var response = await RawHttp.ExchangeAsync(server.Port, Head("GET / HTTP/1.1", "Host: 127.0.0.1"), cts.Token);

        Assert.Equal("HTTP/1.1 400 Bad Request", response.StatusLine);
        Assert.Contains("WebSocket endpoint", response.Body);
        Assert.Equal(Encoding.UTF8.GetByteCount(response.Body).ToString(), response.Header("Content-Length"));
    }

    [Fact]
    public async Task Handshake_HeadNotCompleteInTime_Gets408()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--handshake-timeout=1", Paths.Script("echo.sh"));

        // The head never ends: no blank line.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var response = await RawHttp.ExchangeAsync(server.Port, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n", cts.Token);

        Assert.Equal("HTTP/1.1 408 Request Timeout", response.StatusLine);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(5));
        await WsClient.AssertServerEchoesAsync(server.Url(), cts.Token);
    }

    [Fact]
    public async Task Handshake_HeadOverMaxHead_Gets431()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--max-head=4K", Paths.Script("echo.sh"));

        string request = RawHttp.UpgradeHead("/", "X-Padding: " + new string('a', 6000));
        var response = await RawHttp.ExchangeAsync(server.Port, request, cts.Token);

        Assert.Equal("HTTP/1.1 431 Request Header Fields Too Large", response.StatusLine);
        await WsClient.AssertServerEchoesAsync(server.Url(), cts.Token);
    }

    [Theory]
    [InlineData(4096, "HTTP/1.1 101 Switching Protocols")]
    [InlineData(4097, "HTTP/1.1 431 Request Header Fields Too Large")]
    public async Task Handshake_HeadAtAndOneByteOverMaxHead_AcceptedThenRefused(int headBytes, string statusLine)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--max-head=4K", Paths.Script("echo.sh"));
        string shortest = RawHttp.UpgradeHead("/", "X-Padding: ");
        string request = RawHttp.UpgradeHead("/", "X-Padding: " + new string('a', headBytes - shortest.Length));
        Assert.Equal(headBytes, request.Length); // the whole head, "\r\n\r\n" included
        using var socket = await RawHttp.ConnectAsync(server.Port, cts.Token);

        await socket.SendAsync(Encoding.ASCII.GetBytes(request), System.Net.Sockets.SocketFlags.None, cts.Token);
        var response = await RawHttp.ReadHeadAsync(socket, cts.Token);

        Assert.Equal(statusLine, response.StatusLine);
    }

    [Fact]
    public async Task Handshake_AtMaxForks_Gets101ThenClose1013ByDefault()
    {
        // The default (--limit-response=close): a browser's script reads close code 1013
        // "try again later", where a refused handshake would show it only 1006.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--maxforks=1", Paths.Script("echo.sh"));
        using (var first = await WsClient.ConnectAsync(server.Url("/first"), cts.Token))
        {
            await first.AssertEchoesAsync("holding the only slot", cts.Token);

            await RawFrames.AssertRetryLaterAsync(server.Port, RawHttp.UpgradeHead("/second"), "at capacity", cts.Token);

            Assert.Single(server.ServingWorkers()); // the acceptor answered it itself: no worker
            await first.AssertEchoesAsync("the first is untouched", cts.Token);
            await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        }

        // The slot frees once the worker has exited and been reaped; allow it a moment.
        await WsClient.AssertServerEchoesSoonAsync(server.Url("/third"), TimeSpan.FromSeconds(5), cts.Token);
    }

    [Fact]
    public async Task Handshake_AtMaxForksWithLimitResponseHttp_Gets503WithRetryAfter()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--maxforks=1", "--limit-response=http", Paths.Script("echo.sh"));
        using (var first = await WsClient.ConnectAsync(server.Url("/first"), cts.Token))
        {
            await first.AssertEchoesAsync("holding the only slot", cts.Token);

            var response = await RawHttp.ExchangeAsync(server.Port, RawHttp.UpgradeHead("/second"), cts.Token);

            Assert.Equal("HTTP/1.1 503 Service Unavailable", response.StatusLine);
            Assert.Equal("1", response.Header("Retry-After"));
            await first.AssertEchoesAsync("the first is untouched", cts.Token);
            await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        }

        // The slot frees once the worker has exited and been reaped; allow it a moment.
        await WsClient.AssertServerEchoesSoonAsync(server.Url("/third"), TimeSpan.FromSeconds(5), cts.Token);
    }

    [Fact]
    public async Task Handshake_ConnectionKeepAliveUpgrade_Accepted()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var socket = await RawHttp.ConnectAsync(server.Port, cts.Token);

        // What Firefox sends: Connection is a token list, not one value.
        string request = Head("GET / HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: keep-alive, Upgrade",
            Key, "Sec-WebSocket-Version: 13");
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), System.Net.Sockets.SocketFlags.None, cts.Token);
        var response = await RawHttp.ReadHeadAsync(socket, cts.Token);

        Assert.Equal("HTTP/1.1 101 Switching Protocols", response.StatusLine);
        Assert.Equal(RawHttp.SampleAccept, response.Header("Sec-WebSocket-Accept"));
    }
}
