using Supervisor.Protocol.Handshake;
using static Supervisor.Protocol.Tests.SampleRequests;

namespace Supervisor.Protocol.Tests;

/// <summary>RFC 6455 §4.2.1, one reason per broken request, checked in a fixed order.</summary>
public class HandshakeValidatorTests
{
    [Fact]
    public void Validate_ChromeRequest_YieldsKeyHostOriginExtensions()
    {
        var reason = HandshakeValidator.Validate(Parse(Chrome), out var request);

        Assert.Equal(RejectionReason.None, reason);
        Assert.NotNull(request);
        Assert.Equal("dGhlIHNhbXBsZSBub25jZQ==", request.Key);
        Assert.Equal("localhost:8080", request.Host);
        Assert.Equal("http://localhost:8080", request.Origin);
        Assert.Empty(request.Subprotocols);
        Assert.Equal(["permessage-deflate; client_max_window_bits"], request.Extensions);
        Assert.Equal("/chat", request.Head.RawPath);
    }

    [Fact]
    public void Validate_FirefoxKeepAliveUpgrade_PassesWithSubprotocols()
    {
        // "Connection: keep-alive, Upgrade" is a token list containing "Upgrade".
        var reason = HandshakeValidator.Validate(Parse(Firefox), out var request);

        Assert.Equal(RejectionReason.None, reason);
        Assert.Equal(["chat", "superchat"], request!.Subprotocols);
        Assert.Equal(["permessage-deflate"], request.Extensions);
        Assert.Equal("https://example.com", request.Origin);
    }

    [Fact]
    public void Validate_NoOrigin_OriginNull()
    {
        // Non-browser clients need not send Origin (RFC 6455 §4.1 item 8).
        HandshakeValidator.Validate(Parse(Minimal()), out var request);

        Assert.Null(request!.Origin);
    }

    [Fact]
    public void Validate_ProtocolsAcrossFieldsAndQuotedCommaInExtension_SplitAtTopLevel()
    {
        var head = Parse(Minimal(
        [
            "Sec-WebSocket-Protocol: a",
            "Sec-WebSocket-Protocol: b , ,c",
            "Sec-WebSocket-Extensions: x-foo; p=\"1,2\", permessage-deflate",
        ]));

        HandshakeValidator.Validate(head, out var request);

        Assert.Equal(["a", "b", "c"], request!.Subprotocols);
        Assert.Equal(["x-foo; p=\"1,2\"", "permessage-deflate"], request.Extensions);
    }

    [Theory]
    [InlineData("Upgrade: WebSocket")]          // case-insensitive
    [InlineData("Upgrade: h2c, websocket")]     // a list
    [InlineData("Connection: keep-alive, upgrade")]
    [InlineData("Connection: UPGRADE")]
    public void Validate_TokenListVariants_Pass(string replacement)
    {
        string name = replacement[..replacement.IndexOf(':')];
        var head = Parse(Minimal([replacement], without: [name]));

        Assert.Equal(RejectionReason.None, HandshakeValidator.Validate(head, out _));
    }

    [Fact]
    public void Validate_AbsoluteFormAfterEmptyLinesWithZeroLengthAndExpect_PassesWithTheTargetsHost()
    {
        var reason = HandshakeValidator.Validate(Parse(AbsoluteAfterEmptyLines), out var request);

        Assert.Equal(RejectionReason.None, reason);
        Assert.Equal("example.com:8080", request!.Host);
        Assert.Equal("/chat", request.Head.RawPath);
    }

    [Theory]
    [InlineData("Host: other.example")]   // RFC 9112 §3.2.2: the field is ignored...
    [InlineData("Host:")]                 // ...so it may even be empty
    public void Validate_AbsoluteFormWithAnotherOrEmptyHost_HostIsTheTargetsAuthority(string hostLine)
    {
        var head = Parse(Minimal([hostLine], without: ["Host"], requestLine: "GET http://app.example:81/echo HTTP/1.1"));

        Assert.Equal(RejectionReason.None, HandshakeValidator.Validate(head, out var request));
        Assert.Equal("app.example:81", request!.Host);
    }

    [Theory]
    [InlineData("Content-Length: 0")]      // some clients send it; no body
    [InlineData("Content-Length: 000")]
    [InlineData("Expect: 100-continue")]   // nothing to wait for: ignored (RFC 9110 §10.1.1)
    [InlineData("Expect: 100-Continue")]
    [InlineData("Expect:")]                // an empty list expects nothing
    public void Validate_NoBodyAnnounced_Passes(string line)
    {
        Assert.Equal(RejectionReason.None, HandshakeValidator.Validate(Parse(Minimal([line])), out _));
    }

    public static TheoryData<string, string, RejectionReason> BrokenRequests() => new()
    {
        { "POST", Minimal(requestLine: "POST /echo HTTP/1.1"), RejectionReason.MethodNotGet },
        { "lowercase get", Minimal(requestLine: "get /echo HTTP/1.1"), RejectionReason.MethodNotGet },
        { "no Host", Minimal(without: ["Host"]), RejectionReason.MissingHost },
        { "empty Host", Minimal(["Host:"], without: ["Host"]), RejectionReason.MissingHost },
        { "two Hosts", Minimal(["Host: evil.example"]), RejectionReason.MissingHost },
        { "plain browser GET", "GET / HTTP/1.1\r\nHost: a\r\nAccept: text/html\r\n\r\n", RejectionReason.NotWebSocketRequest },
        { "Upgrade to h2c", Minimal(["Upgrade: h2c"], without: ["Upgrade"]), RejectionReason.MissingUpgradeToken },
        { "key but no Upgrade", Minimal(without: ["Upgrade"]), RejectionReason.MissingUpgradeToken },
        { "websocket as substring", Minimal(["Upgrade: websockets"], without: ["Upgrade"]), RejectionReason.MissingUpgradeToken },
        { "Connection keep-alive", Minimal(["Connection: keep-alive"], without: ["Connection"]), RejectionReason.MissingConnectionUpgrade },
        { "no Connection", Minimal(without: ["Connection"]), RejectionReason.MissingConnectionUpgrade },
        { "version 8", Minimal(["Sec-WebSocket-Version: 8"], without: ["Sec-WebSocket-Version"]), RejectionReason.UnsupportedVersion },
        { "two versions", Minimal(["Sec-WebSocket-Version: 8"]), RejectionReason.UnsupportedVersion },
        { "no version", Minimal(without: ["Sec-WebSocket-Version"]), RejectionReason.UnsupportedVersion },
        { "no key", Minimal(without: ["Sec-WebSocket-Key"]), RejectionReason.MissingKey },
        { "key of 15 bytes", Minimal(["Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ"], without: ["Sec-WebSocket-Key"]), RejectionReason.InvalidKey },
        { "key of 18 bytes", Minimal(["Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZSEh"], without: ["Sec-WebSocket-Key"]), RejectionReason.InvalidKey },
        { "key with bad chars", Minimal(["Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!=="], without: ["Sec-WebSocket-Key"]), RejectionReason.InvalidKey },
        { "key with inner space", Minimal(["Sec-WebSocket-Key: dGhlIHNhbXBsZ Bub25jZQ=="], without: ["Sec-WebSocket-Key"]), RejectionReason.InvalidKey },
        { "two keys", Minimal(["Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw=="]), RejectionReason.InvalidKey },
        // Found by the handshake fuzz test: a non-token offer would have to be echoed in the 101.
        { "subprotocol with obs-text", Minimal(["Sec-WebSocket-Protocol: chat\u00F6VJ, superchat"]), RejectionReason.InvalidSubprotocol },
        { "quoted subprotocol", Minimal(["Sec-WebSocket-Protocol: \"chat\""]), RejectionReason.InvalidSubprotocol },
        { "subprotocol with a slash", Minimal(["Sec-WebSocket-Protocol: a/b"]), RejectionReason.InvalidSubprotocol },
        // A body would be read as WebSocket frames (Kestrel: "Upgrade requests cannot have a body").
        { "Content-Length 11", Minimal(["Content-Length: 11"]), RejectionReason.UpgradeWithBody },
        { "chunked", Minimal(["Transfer-Encoding: chunked"]), RejectionReason.UpgradeWithBody },
        { "empty Transfer-Encoding", Minimal(["Transfer-Encoding:"]), RejectionReason.UpgradeWithBody },
        { "chunked and Content-Length 0", Minimal(["Transfer-Encoding: chunked", "Content-Length: 0"]), RejectionReason.UpgradeWithBody },
        { "body and 100-continue", Minimal(["Content-Length: 5", "Expect: 100-continue"]), RejectionReason.UpgradeWithBody },
        { "unknown expectation", Minimal(["Expect: tea"]), RejectionReason.UnsupportedExpectation },
        { "100-continue and another", Minimal(["Expect: 100-continue, x=1"]), RejectionReason.UnsupportedExpectation },
        { "absolute-form without Host", Minimal(without: ["Host"], requestLine: "GET ws://a/echo HTTP/1.1"), RejectionReason.MissingHost },
        // Order: the first failing check wins.
        { "POST without Host", Minimal(requestLine: "POST /echo HTTP/1.1", without: ["Host"]), RejectionReason.MethodNotGet },
        { "no version and no key", Minimal(without: ["Sec-WebSocket-Version", "Sec-WebSocket-Key"]), RejectionReason.UnsupportedVersion },
        { "no Host and no Upgrade", "GET / HTTP/1.1\r\n\r\n", RejectionReason.MissingHost },
    };

    [Theory]
    [MemberData(nameof(BrokenRequests))]
    public void Validate_BrokenRequest_Reason(string what, string text, RejectionReason expected)
    {
        var reason = HandshakeValidator.Validate(Parse(text), out var request);

        Assert.True(expected == reason, $"{what}: expected {expected}, got {reason}");
        Assert.Null(request);
    }
}
