using Supervisor.Protocol.Handshake;
using static Supervisor.Protocol.Tests.SampleRequests;

namespace Supervisor.Protocol.Tests;

/// <summary>Hostile and broken heads, each with the one reason it must get.</summary>
public class HandshakeParserRejectionTests
{
    private const string Ok = "GET / HTTP/1.1\r\n";

    [Theory]
    // request line (RFC 9112 §3)
    [InlineData("GET /  HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]         // two spaces
    [InlineData(" GET / HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]         // leading space
    [InlineData("GET\t/ HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]         // HTAB as separator
    [InlineData("GET / HTTP/1.1 \r\n\r\n", RejectionReason.MalformedRequestLine)]         // trailing space
    [InlineData("GET /\r\n\r\n", RejectionReason.MalformedRequestLine)]                   // no version (HTTP/0.9 style)
    [InlineData("G@T / HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]          // '@' is not a tchar
    [InlineData("GET chat HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]       // target without leading '/'
    [InlineData("GET * HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]          // asterisk-form is OPTIONS' only
    [InlineData("OPTIONS *x HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]
    [InlineData("GET /50%.sh HTTP/1.1\r\n\r\n", RejectionReason.InvalidTarget)]          // '%' starting no escape (RFC 3986 §2.1)
    [InlineData("GET /echo.sh%zz HTTP/1.1\r\n\r\n", RejectionReason.InvalidTarget)]
    [InlineData("GET /a%2 HTTP/1.1\r\n\r\n", RejectionReason.InvalidTarget)]
    [InlineData("GET /a% HTTP/1.1\r\n\r\n", RejectionReason.InvalidTarget)]
    [InlineData("GET /a%%41 HTTP/1.1\r\n\r\n", RejectionReason.InvalidTarget)]
    [InlineData("GET /echo.sh#f HTTP/1.1\r\n\r\n", RejectionReason.InvalidTarget)]      // a fragment (RFC 3986 §3.5)
    [InlineData("GET /a?q#f HTTP/1.1\r\n\r\n", RejectionReason.InvalidTarget)]
    [InlineData("GET ws://a/b%zz HTTP/1.1\r\n\r\n", RejectionReason.InvalidTarget)]     // absolute-form's path too
    [InlineData("CONNECT a:443 HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]  // authority-form
    [InlineData("GET ftp://a/ HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]   // absolute-form, another scheme
    [InlineData("GET http:/a/ HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]   // one slash: no authority
    [InlineData("GET http:///a HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)] // empty host (RFC 9110 §4.2.1)
    [InlineData("GET http://:80/ HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)] // a port but no host
    [InlineData("GET http://u:p@a/ HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)] // userinfo (RFC 9110 §4.2.4)
    [InlineData("GET http://a:8o/ HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)] // port not digits
    [InlineData("GET http://a#f HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]  // '#' in the authority
    [InlineData("GET http://a/\x80 HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)] // raw non-ASCII after it
    [InlineData("GET /a\0b HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]      // NUL in target
    [InlineData("GET /a\x7F HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]     // DEL in target
    [InlineData("GET /caf\xE9 HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]   // raw non-ASCII in target
    [InlineData("GET /\r HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]        // bare CR in target
    [InlineData("GET / HTTP/1.1\r\r\n\r\n", RejectionReason.MalformedRequestLine)]        // bare CR before CRLF
    [InlineData("GET / HTTP/1.1\n\r\n", RejectionReason.MalformedRequestLine)]            // bare LF ends the request line
    [InlineData("\nGET / HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]        // bare LF before the request line
    [InlineData("\r\n\nGET / HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]    // CRLF, then a bare LF
    [InlineData("\r\n GET / HTTP/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]     // CRLF, then a leading space
    [InlineData("GET / http/1.1\r\n\r\n", RejectionReason.MalformedRequestLine)]          // version is case-sensitive
    [InlineData("GET / HTTP/1.10\r\n\r\n", RejectionReason.MalformedRequestLine)]         // not DIGIT "." DIGIT
    [InlineData("GET / HTTP/1.0\r\n\r\n", RejectionReason.UnsupportedHttpVersion)]        // no Upgrade in 1.0
    [InlineData("GET / HTTP/2.0\r\n\r\n", RejectionReason.UnsupportedHttpVersion)]        // h2 is not negotiated here
    [InlineData("GET / HTTP/0.9\r\n\r\n", RejectionReason.UnsupportedHttpVersion)]
    // header lines (RFC 9112 §5, RFC 9110 §5.5)
    [InlineData(Ok + "Host: a\0b\r\n\r\n", RejectionReason.InvalidHeaderValue)]           // NUL in value
    [InlineData(Ok + "Host: a\rb\r\n\r\n", RejectionReason.InvalidHeaderValue)]           // bare CR in value
    [InlineData(Ok + "Host: a\r\r\n\r\n", RejectionReason.InvalidHeaderValue)]            // bare CR at end of value
    [InlineData(Ok + "X-A: a\x7F\r\n\r\n", RejectionReason.InvalidHeaderValue)]           // DEL in value
    [InlineData(Ok + "X-A: \x1B[31m\r\n\r\n", RejectionReason.InvalidHeaderValue)]        // ESC (terminal escape for log readers)
    [InlineData(Ok + "Host: a\nX-B: b\r\n\r\n", RejectionReason.MalformedHeaderLine)]     // bare LF ends a header line
    [InlineData(Ok + "Host: a\r\n\n", RejectionReason.MalformedHeaderLine)]               // bare LF as the empty last line
    [InlineData(Ok + "X-A: a\r\n b\r\n\r\n", RejectionReason.MalformedHeaderLine)]        // obs-fold with SP
    [InlineData(Ok + "X-A: a\r\n\tb\r\n\r\n", RejectionReason.MalformedHeaderLine)]       // obs-fold with HTAB
    [InlineData(Ok + " Host: a\r\n\r\n", RejectionReason.MalformedHeaderLine)]            // whitespace before first field
    [InlineData(Ok + "Host : a\r\n\r\n", RejectionReason.MalformedHeaderLine)]            // space before the colon
    [InlineData(Ok + "Host\t: a\r\n\r\n", RejectionReason.MalformedHeaderLine)]           // HTAB before the colon
    [InlineData(Ok + "NoColonHere\r\n\r\n", RejectionReason.MalformedHeaderLine)]         // no colon at all
    [InlineData(Ok + "Ho st: a\r\n\r\n", RejectionReason.InvalidHeaderName)]              // space inside the name
    [InlineData(Ok + "X(A): a\r\n\r\n", RejectionReason.InvalidHeaderName)]               // '(' is a delimiter, not a tchar
    [InlineData(Ok + ": a\r\n\r\n", RejectionReason.InvalidHeaderName)]                   // empty name
    [InlineData(Ok + "H\xF3st: a\r\n\r\n", RejectionReason.InvalidHeaderName)]            // non-ASCII in the name
    [InlineData(Ok + "X\0: a\r\n\r\n", RejectionReason.InvalidHeaderName)]                // NUL in the name
    // Host (RFC 9112 §3.2, RFC 3986 §3.2.2-3)
    [InlineData(Ok + "Host: a b\r\n\r\n", RejectionReason.InvalidHost)]                   // space
    [InlineData(Ok + "Host: x/y@z\r\n\r\n", RejectionReason.InvalidHost)]                 // path and userinfo characters
    [InlineData(Ok + "Host: u@a\r\n\r\n", RejectionReason.InvalidHost)]                   // userinfo
    [InlineData(Ok + "Host: a, b\r\n\r\n", RejectionReason.InvalidHost)]                  // a list of two
    [InlineData(Ok + "Host: a:b\r\n\r\n", RejectionReason.InvalidHost)]                   // port not digits
    [InlineData(Ok + "Host: a:1:2\r\n\r\n", RejectionReason.InvalidHost)]                 // two ports
    [InlineData(Ok + "Host: :80\r\n\r\n", RejectionReason.InvalidHost)]                   // a port, no host
    [InlineData(Ok + "Host: ::1\r\n\r\n", RejectionReason.InvalidHost)]                   // IPv6 without brackets
    [InlineData(Ok + "Host: [::1\r\n\r\n", RejectionReason.InvalidHost)]                  // bracket not closed
    [InlineData(Ok + "Host: [::g]\r\n\r\n", RejectionReason.InvalidHost)]                 // not hex
    [InlineData(Ok + "Host: [1.2.3.4]\r\n\r\n", RejectionReason.InvalidHost)]             // IPv4 in brackets
    [InlineData(Ok + "Host: [fe80::1%25eth0]\r\n\r\n", RejectionReason.InvalidHost)]      // zone id (RFC 6874; no browser sends it)
    [InlineData(Ok + "Host: [::1]x\r\n\r\n", RejectionReason.InvalidHost)]                // junk after the bracket
    [InlineData(Ok + "Host: a%2\r\n\r\n", RejectionReason.InvalidHost)]                   // pct-encoding cut short
    [InlineData(Ok + "Host: caf\xE9.example\r\n\r\n", RejectionReason.InvalidHost)]      // obs-text (IDNs go as punycode)
    [InlineData(Ok + "Host: a\\b\r\n\r\n", RejectionReason.InvalidHost)]                // backslash
    [InlineData(Ok + "host: a\tb\r\n\r\n", RejectionReason.InvalidHost)]                 // name case-insensitive; HTAB inside
    // Content-Length (RFC 9110 §8.6, RFC 9112 §6.3 item 5)
    [InlineData(Ok + "Content-Length: abc\r\n\r\n", RejectionReason.InvalidContentLength)]
    [InlineData(Ok + "Content-Length: -1\r\n\r\n", RejectionReason.InvalidContentLength)]
    [InlineData(Ok + "Content-Length: +0\r\n\r\n", RejectionReason.InvalidContentLength)]
    [InlineData(Ok + "Content-Length: 1 2\r\n\r\n", RejectionReason.InvalidContentLength)]
    [InlineData(Ok + "Content-Length: 0x0\r\n\r\n", RejectionReason.InvalidContentLength)]
    [InlineData(Ok + "Content-Length:\r\n\r\n", RejectionReason.InvalidContentLength)]              // empty
    [InlineData(Ok + "Content-Length: 5, 5\r\n\r\n", RejectionReason.InvalidContentLength)]         // a list, even of one value
    [InlineData(Ok + "Content-Length: 5\r\ncontent-length: 6\r\n\r\n", RejectionReason.InvalidContentLength)] // differing
    [InlineData(Ok + "Content-Length: 0\r\nContent-Length: 0\r\n\r\n", RejectionReason.InvalidContentLength)] // repeated
    public void TryParse_HostileHead_RejectedWithReason(string text, RejectionReason expected)
    {
        var result = HandshakeParser.TryParse(Bytes(text));

        Assert.Equal(ParseStatus.Rejected, result.Status);
        Assert.Equal(expected, result.Reason);
        Assert.Null(result.Head);
    }

    [Theory]
    [InlineData("GET / HTTP/1.0\r\n", RejectionReason.UnsupportedHttpVersion)]           // known at the first CRLF
    [InlineData("GET / HTTP/1.1\r\nHost: a\0\r\nX-A: b", RejectionReason.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\nX-A: a\r\n b", RejectionReason.MalformedHeaderLine)]  // fold seen before the line ends
    [InlineData("GET / HTTP/1.1\r\nX-A: a\0b", RejectionReason.InvalidHeaderValue)]      // NUL in the value so far
    [InlineData("GET / HTTP/1.1\r\nX A: a", RejectionReason.InvalidHeaderName)]          // name complete at the colon
    [InlineData("GET / HTTP/1.1\r\nX-A : a", RejectionReason.MalformedHeaderLine)]       // space before the colon
    [InlineData("\x16\x03\x01\x02\x00\x01", RejectionReason.MalformedRequestLine)]           // TLS ClientHello to a plain port
    [InlineData(" GET", RejectionReason.MalformedRequestLine)]                             // leading space
    public void TryParse_BadLineBeforeTerminator_RejectedEarly(string text, RejectionReason expected)
    {
        // No need to wait (or let a slow client make us wait) for the whole head.
        var result = HandshakeParser.TryParse(Bytes(text));

        Assert.Equal(ParseStatus.Rejected, result.Status);
        Assert.Equal(expected, result.Reason);
    }

    [Fact]
    public void TryParse_EmptyLinesUpToTheLimit_HeadTooLarge()
    {
        // Leading CRLFs are skipped, not free: they count toward the head's size.
        var text = string.Concat(Enumerable.Repeat("\r\n", HandshakeParser.DefaultMaxHeadBytes / 2)) + Ok + "\r\n";

        var result = HandshakeParser.TryParse(Bytes(text));

        Assert.Equal(RejectionReason.HeadTooLarge, result.Reason);
    }

    [Fact]
    public void TryParse_OverDefaultLimitWithoutTerminator_HeadTooLarge()
    {
        // 8 KiB + 1 of one endless header value: a client that never ends its head.
        var text = Ok + "X-Pad: " + new string('a', HandshakeParser.DefaultMaxHeadBytes);

        var result = HandshakeParser.TryParse(Bytes(text));

        Assert.Equal(ParseStatus.Rejected, result.Status);
        Assert.Equal(RejectionReason.HeadTooLarge, result.Reason);
    }

    [Fact]
    public void TryParse_HeadExactlyAtLimit_Complete()
    {
        var text = Padded(HandshakeParser.DefaultMaxHeadBytes);

        var result = HandshakeParser.TryParse(Bytes(text));

        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Equal(HandshakeParser.DefaultMaxHeadBytes, result.Consumed);
    }

    [Fact]
    public void TryParse_HeadOneByteOverLimit_HeadTooLarge()
    {
        var text = Padded(HandshakeParser.DefaultMaxHeadBytes + 1);

        var result = HandshakeParser.TryParse(Bytes(text));

        Assert.Equal(RejectionReason.HeadTooLarge, result.Reason);
    }

    [Fact]
    public void TryParse_LimitReachedWithTerminatorHalfIn_HeadTooLarge()
    {
        // maxHeadBytes bytes ending in "\r\n\r": the '\n' still to come would make the
        // head one byte too long, so there is no point in waiting for it.
        var text = Padded(HandshakeParser.DefaultMaxHeadBytes + 1)[..HandshakeParser.DefaultMaxHeadBytes];

        var result = HandshakeParser.TryParse(Bytes(text));

        Assert.Equal(RejectionReason.HeadTooLarge, result.Reason);
    }

    [Fact]
    public void TryParse_OneByteShortOfLimitWithoutTerminator_NeedMore()
    {
        var text = Padded(HandshakeParser.DefaultMaxHeadBytes)[..(HandshakeParser.DefaultMaxHeadBytes - 1)];

        var result = HandshakeParser.TryParse(Bytes(text));

        Assert.Equal(ParseStatus.NeedMore, result.Status);
    }

    [Fact]
    public void TryParse_CustomLimitSmallerThanRequest_HeadTooLarge()
    {
        var result = HandshakeParser.TryParse(Bytes(Chrome), maxHeadBytes: 64);

        Assert.Equal(RejectionReason.HeadTooLarge, result.Reason);
    }

    [Fact]
    public void TryParse_NonPositiveLimit_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HandshakeParser.TryParse(Bytes(Chrome), 0));
    }

    /// <summary>A valid head of exactly <paramref name="length"/> bytes.</summary>
    private static string Padded(int length)
    {
        const string start = Ok + "Host: a\r\nX-Pad: ";
        const string end = "\r\n\r\n";
        var text = start + new string('p', length - start.Length - end.Length) + end;
        Assert.Equal(length, text.Length);
        return text;
    }
}
