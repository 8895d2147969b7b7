using Supervisor.Protocol.Handshake;
using static Supervisor.Protocol.Tests.SampleRequests;

namespace Supervisor.Protocol.Tests;

/// <summary>What the parser accepts, and that it never claims a byte past the head.</summary>
public class HandshakeParserTests
{
    [Fact]
    public void TryParse_ChromeRequest_CompleteWithLineAndHeadersInOrder()
    {
        var result = HandshakeParser.TryParse(Bytes(Chrome));

        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Equal(RejectionReason.None, result.Reason);
        Assert.Equal(Chrome.Length, result.Consumed);
        var head = result.Head!;
        Assert.Equal("GET", head.Method);
        Assert.Equal("/chat?room=lobby&x=1", head.Target);
        Assert.Equal("HTTP/1.1", head.Version);
        Assert.Equal(12, head.Headers.Count);
        Assert.Equal(new KeyValuePair<string, string>("Host", "localhost:8080"), head.Headers[0]);
        Assert.Equal(new KeyValuePair<string, string>("Sec-WebSocket-Extensions",
            "permessage-deflate; client_max_window_bits"), head.Headers[^1]);
    }

    [Fact]
    public void TryParse_FirefoxRequest_CompleteWithConnectionList()
    {
        var result = HandshakeParser.TryParse(Bytes(Firefox));

        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Equal(Firefox.Length, result.Consumed);
        Assert.Equal("keep-alive, Upgrade", result.Head!.Get("connection"));
        Assert.Equal(17, result.Head.Headers.Count);
    }

    public static TheoryData<string, int> EveryTruncation()
    {
        var data = new TheoryData<string, int>();
        foreach (var (name, text) in ByName)
        {
            for (int length = 0; length < text.Length; length++) data.Add(name, length);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryTruncation))]
    public void TryParse_TruncatedValidRequest_NeedMore(string request, int length)
    {
        // Each prefix of a valid request is what a slow (or byte-at-a-time) client has
        // sent so far: nothing in it may be mistaken for an error or a whole head.
        var prefix = Bytes(ByName[request]).AsSpan(0, length);

        var result = HandshakeParser.TryParse(prefix);

        Assert.Equal(ParseStatus.NeedMore, result.Status);
        Assert.Equal(0, result.Consumed);
        Assert.Null(result.Head);
    }

    [Fact]
    public void TryParse_HeadFollowedByFrameBytes_ConsumedIsHeadLengthExactly()
    {
        // A client may send its first frame in the same segment as the head.
        byte[] frame =
        [
            0x81,                   // FIN + text opcode
            0x85,                   // MASK bit + payload length 5
            0x37, 0xFA, 0x21, 0x3D, // masking key (RFC 6455 §5.7 example)
            0x7F, 0x9F, 0x4D, 0x51, 0x58, // "Hello" masked
            0x0D, 0x0A, 0x0D, 0x0A, // "\r\n\r\n" inside frame bytes must not matter
        ];
        var received = Bytes(Firefox).Concat(frame).ToArray();

        var result = HandshakeParser.TryParse(received);

        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Equal(Firefox.Length, result.Consumed);
        Assert.Equal(HandshakeParser.FindHeadEnd(received), result.Consumed);
        Assert.Equal(frame, received[result.Consumed..]);
    }

    [Fact]
    public void TryParse_HeadFollowedByMoreThanTheLimitOfGarbage_StillComplete()
    {
        // Bytes after the head belong to the WebSocket and are never inspected, however many.
        var received = Bytes(Chrome).Concat(Enumerable.Repeat((byte)0x00, 3 * HandshakeParser.DefaultMaxHeadBytes)).ToArray();

        var result = HandshakeParser.TryParse(received);

        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Equal(Chrome.Length, result.Consumed);
    }

    [Fact]
    public void TryParse_NoHeaders_CompleteWithEmptyList()
    {
        // Syntactically fine; the validator is the one that wants Host.
        var result = HandshakeParser.TryParse(Bytes("GET / HTTP/1.1\r\n\r\n"));

        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Empty(result.Head!.Headers);
    }

    [Fact]
    public void TryParse_ValueWithOwsAndInnerTab_TrimmedOutsideKeptInside()
    {
        var head = Parse("GET / HTTP/1.1\r\nX-A: \t a\tb  \t\r\nX-Empty:\r\nX-Spaces:   \r\n\r\n");

        Assert.Equal("a\tb", head.Headers[0].Value);
        Assert.Equal("", head.Headers[1].Value);
        Assert.Equal("", head.Headers[2].Value);
    }

    [Fact]
    public void TryParse_ObsTextInValue_DecodedAsLatin1()
    {
        // RFC 9110 §5.5 obs-text: 0xE9 is 'é' in Latin-1, one char per byte.
        var head = Parse("GET / HTTP/1.1\r\nX-Name: caf\xE9 \xFF\r\n\r\n");

        Assert.Equal("caf\u00E9 \u00FF", head.Get("X-Name"));
    }

    [Fact]
    public void TryParse_TokenCharactersInNameAndMethod_Accepted()
    {
        // RFC 9110 §5.6.2 tchar includes these symbols; the validator, not the parser,
        // decides that only GET is welcome.
        var head = Parse("M-SEARCH /a/b%20c?q=%2F&r=~ HTTP/1.1\r\nX!#$%&'*+-.^_`|~1: v\r\n\r\n");

        Assert.Equal("M-SEARCH", head.Method);
        Assert.Equal("X!#$%&'*+-.^_`|~1", head.Headers[0].Key);
    }

    [Fact]
    public void TryParse_OptionsAsterisk_CompleteWithTargetStar()
    {
        // RFC 9112 §3.2.4: well-formed; the validator answers it with 405, not "malformed".
        var head = Parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal("*", head.Target);
        Assert.Null(head.Authority);
        Assert.Equal(RejectionReason.AsteriskForm, HandshakeValidator.Validate(head, out _));
    }

    [Theory]
    [InlineData("/a?pct=50%", "pct=50%")]                  // the query's '%' is the app's to read
    [InlineData("/a%41?x=%zz", "x=%zz")]
    public void TryParse_PercentInQuery_KeptAsSent(string target, string query)
    {
        var head = Parse($"GET {target} HTTP/1.1\r\n\r\n");

        Assert.Equal(query, head.Query);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\r\n\r\n\r\n")]
    public void TryParse_EmptyLinesBeforeRequestLine_SkippedAndConsumed(string before)
    {
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.
        byte[] frame = [0x81, 0x80, 1, 2, 3, 4]; // an empty masked text frame: not the head's
        var received = Bytes(before + Firefox).Concat(frame).ToArray();

        var result = HandshakeParser.TryParse(received);

        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Equal(before.Length + Firefox.Length, result.Consumed);
        Assert.Equal("GET", result.Head!.Method);
        Assert.Equal("/chat", result.Head.Target);
    }

    [Theory]
    [InlineData("\r")]
    [InlineData("\r\n")]
    [InlineData("\r\n\r\n")]
    [InlineData("\r\n\r\n\r")]
    public void TryParse_OnlyEmptyLinesSoFar_NeedMore(string text)
    {
        var result = HandshakeParser.TryParse(Bytes(text));

        Assert.Equal(ParseStatus.NeedMore, result.Status);
        Assert.Equal(0, result.Consumed);
    }

    [Theory]
    // target, origin-form the server acts on, authority
    [InlineData("http://127.0.0.1:8080/echo", "/echo", "127.0.0.1:8080")]
    [InlineData("HTTP://Example.COM/a/b?x=1&y=/", "/a/b?x=1&y=/", "Example.COM")]   // scheme case-insensitive; host kept as sent
    [InlineData("https://example.com", "/", "example.com")]                       // empty path is "/" (RFC 9112 §3.2.1)
    [InlineData("ws://example.com?room=1", "/?room=1", "example.com")]
    [InlineData("wss://[::1]:8443/chat", "/chat", "[::1]:8443")]
    [InlineData("Ws://my_app:80//double", "//double", "my_app:80")]
    public void TryParse_AbsoluteFormTarget_PathAndQueryAsTargetAuthorityKept(string target, string originForm, string authority)
    {
        var head = Parse($"GET {target} HTTP/1.1\r\nHost: ignored.example\r\n\r\n");

        Assert.Equal(originForm, head.Target);
        Assert.Equal(authority, head.Authority);
        Assert.Equal(authority, head.Host); // RFC 9112 §3.2.2: the target's authority, not the Host field
        Assert.Equal("ignored.example", head.Get("Host"));
    }

    [Fact]
    public void TryParse_OriginForm_NoAuthorityHostIsTheField()
    {
        var head = Parse(Firefox);

        Assert.Null(head.Authority);
        Assert.Equal("example.com", head.Host);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:8080")]
    [InlineData("127.0.0.1:65535")]
    [InlineData("EXAMPLE.com:443")]
    [InlineData("my_app:8080")]                     // a container name (Docker, Compose): '_' is unreserved
    [InlineData("xn--caf-dma.example")]             // an IDN as browsers send it (punycode)
    [InlineData("a.example.")]                      // fully qualified, trailing dot
    [InlineData("[::1]")]
    [InlineData("[::1]:8080")]
    [InlineData("[2001:db8::ffff:192.0.2.1]:80")]
    [InlineData("[v1.fe80::a+en1]")]                // IPvFuture (RFC 3986 §3.2.2)
    [InlineData("a%2Eb")]                           // pct-encoded
    [InlineData("!$&'()*+,;=~-")]                   // every sub-delim: grammatical, if no real name
    [InlineData("example.com:")]                    // port = *DIGIT (RFC 3986 §3.2.3)
    [InlineData("")]                                // empty: grammatical; the validator decides
    public void TryParse_HostInRfc3986Grammar_Complete(string host)
    {
        var head = Parse($"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n");

        Assert.Equal(host, head.Get("Host"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("00")]
    [InlineData("11")]
    [InlineData("99999999999999999999999")] // never converted: only the grammar is checked
    public void TryParse_OneDecimalContentLength_Complete(string length)
    {
        // Whether a body is welcome is the validator's business (an upgrade: no).
        var head = Parse($"GET / HTTP/1.1\r\nContent-Length: {length}\r\n\r\n");

        Assert.Equal(length, head.Get("Content-Length"));
    }

    [Fact]
    public void FindHeadEnd_TerminatorPresent_IndexJustPastIt()
    {
        Assert.Equal(18, HandshakeParser.FindHeadEnd(Bytes("GET / HTTP/1.1\r\n\r\nxyz")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("GET / HTTP/1.1\r\n\r")]
    [InlineData("GET / HTTP/1.1\r\n\n\r\n")]
    public void FindHeadEnd_NoTerminator_MinusOne(string text)
    {
        Assert.Equal(-1, HandshakeParser.FindHeadEnd(Bytes(text)));
    }
}
