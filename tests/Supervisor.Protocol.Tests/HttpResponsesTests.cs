using System.Text;
using Supervisor.Protocol.Handshake;

namespace Supervisor.Protocol.Tests;

public class HttpResponsesTests
{
    [Fact]
    public void SwitchingProtocols_Rfc6455Example_ExactBytes()
    {
        // RFC 6455 §1.3: the server's handshake for key "dGhlIHNhbXBsZSBub25jZQ==".
        var bytes = HttpResponses.SwitchingProtocols(AcceptKey.Compute("dGhlIHNhbXBsZSBub25jZQ=="), "chat");

        Assert.Equal(
            "HTTP/1.1 101 Switching Protocols\r\n" +
            "Upgrade: websocket\r\n" +
            "Connection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
            "Sec-WebSocket-Protocol: chat\r\n" +
            "\r\n",
            Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public void SwitchingProtocols_ExtensionsAndExtraHeaders_InThatOrderAfterAccept()
    {
        var bytes = HttpResponses.SwitchingProtocols("abc=", extensions: "permessage-deflate",
            extraHeaders: ["X-Served-By: ws-supervisor", "Set-Cookie: a=b"]);

        Assert.Equal(
            "HTTP/1.1 101 Switching Protocols\r\n" +
            "Upgrade: websocket\r\n" +
            "Connection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: abc=\r\n" +
            "Sec-WebSocket-Extensions: permessage-deflate\r\n" +
            "X-Served-By: ws-supervisor\r\n" +
            "Set-Cookie: a=b\r\n" +
            "\r\n",
            Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public void SwitchingProtocols_CrlfInSubprotocol_Throws()
    {
        Assert.Throws<ArgumentException>(() => HttpResponses.SwitchingProtocols("abc=", "chat\r\nSet-Cookie: x=1"));
    }

    [Theory]
    [InlineData("NoColon")]
    [InlineData("Bad Name: v")]
    [InlineData("X-A: v\r\nX-B: w")]
    public void SwitchingProtocols_MalformedExtraHeader_Throws(string header)
    {
        Assert.Throws<ArgumentException>(() => HttpResponses.SwitchingProtocols("abc=", extraHeaders: [header]));
    }

    [Fact]
    public void Rejection_MethodNotGet_405WithAllowGet()
    {
        var (head, _) = Split(HttpResponses.Rejection(RejectionReason.MethodNotGet));

        Assert.StartsWith("HTTP/1.1 405 Method Not Allowed\r\n", head);
        Assert.Contains("\r\nAllow: GET\r\n", head);
    }

    [Fact]
    public void Rejection_UnsupportedVersion_426WithVersion13AndUpgrade()
    {
        var (head, _) = Split(HttpResponses.Rejection(RejectionReason.UnsupportedVersion));

        Assert.StartsWith("HTTP/1.1 426 Upgrade Required\r\n", head);
        Assert.Contains("\r\nSec-WebSocket-Version: 13\r\n", head);
        Assert.Contains("\r\nUpgrade: websocket\r\n", head);   // RFC 9110 §15.5.22
    }

    [Fact]
    public void Rejection_AtCapacity_503WithRetryAfter()
    {
        var (head, body) = Split(HttpResponses.Rejection(RejectionReason.AtCapacity));

        Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", head);
        Assert.Contains("\r\nRetry-After: 1\r\n", head);
        Assert.Equal("Server at capacity (--maxforks); retry later.\n", body);
    }

    [Theory]
    [InlineData(RejectionReason.PerIpLimit)]
    [InlineData(RejectionReason.PerUserLimit)]
    [InlineData(RejectionReason.SpawnRateLimit)]
    public void Rejection_PerClientLimits_429TooManyRequestsWithRetryAfter(RejectionReason reason)
    {
        var (head, _) = Split(HttpResponses.Rejection(reason));

        Assert.StartsWith("HTTP/1.1 429 Too Many Requests\r\n", head);
        Assert.Contains("\r\nRetry-After: 1\r\n", head);
    }

    [Fact]
    public void Rejection_NoFileDescriptors_503WithRetryAfter()
    {
        var (head, _) = Split(HttpResponses.Rejection(RejectionReason.NoFileDescriptors));

        Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", head);
        Assert.Contains("\r\nRetry-After: 1\r\n", head);
    }

    [Fact]
    public void Rejection_OriginNotAllowed_403NoRetryAfter()
    {
        var (head, body) = Split(HttpResponses.Rejection(RejectionReason.OriginNotAllowed, "http://evil.example"));

        Assert.StartsWith("HTTP/1.1 403 Forbidden\r\n", head);
        Assert.DoesNotContain("Retry-After", head);
        Assert.Equal("Origin not allowed. http://evil.example\n", body);
    }

    public static TheoryData<RejectionReason> EveryReason() => RejectionsTests.EveryReason();

    [Theory]
    [MemberData(nameof(EveryReason))]
    public void Rejection_EveryReason_StatusLineContentLengthAndClose(RejectionReason reason)
    {
        var (head, body) = Split(HttpResponses.Rejection(reason, "d\u00E9tail"));

        Assert.StartsWith($"HTTP/1.1 {Rejections.StatusCode(reason)} ", head);
        Assert.Contains("\r\nContent-Type: text/plain; charset=utf-8\r\n", head);
        Assert.Contains($"\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n", head);
        Assert.Matches("\r\nConnection: (Upgrade, )?close\r\n", head);
        Assert.Equal(Rejections.Describe(reason) + " d\u00E9tail\n", body);
    }

    [Fact]
    public void Rejection_DetailWithCrlfInjection_StaysOneBodyLine()
    {
        // The detail may echo a client's path; its CRLFs must not become headers or a
        // second response (response splitting).
        const string hostile = "/x\r\nSet-Cookie: owned=1\r\n\r\nHTTP/1.1 200 OK\r\n\u0000\u001B[2J";

        var (head, body) = Split(HttpResponses.Rejection(RejectionReason.NoSuchApp, hostile));

        Assert.DoesNotContain("Set-Cookie", head);
        Assert.Single(body.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain('\r', body);
        Assert.DoesNotContain('\0', body);
        Assert.DoesNotContain('\u001B', body);
        Assert.StartsWith(Rejections.Describe(RejectionReason.NoSuchApp) + " /x", body);
    }

    [Fact]
    public void Rejection_LongDetail_Truncated()
    {
        var (_, body) = Split(HttpResponses.Rejection(RejectionReason.NoSuchApp, new string('a', 10_000)));

        Assert.True(body.Length < 300, $"body is {body.Length} chars");
    }

    [Fact]
    public void Rejection_ExtraHeaders_BeforeBlankLine()
    {
        var (head, _) = Split(HttpResponses.Rejection(RejectionReason.NoSuchApp, extraHeaders: ["X-A: 1"]));

        Assert.EndsWith("\r\nX-A: 1\r\n\r\n", head);
    }

    [Fact]
    public void Rejection_None_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HttpResponses.Rejection(RejectionReason.None));
    }

    /// <summary>Head (through the blank line, as ASCII) and body (UTF-8).</summary>
    private static (string Head, string Body) Split(byte[] response)
    {
        int end = HandshakeParser.FindHeadEnd(response);
        Assert.True(end > 0, "response has no blank line");
        return (Encoding.ASCII.GetString(response, 0, end), Encoding.UTF8.GetString(response, end, response.Length - end));
    }
}
