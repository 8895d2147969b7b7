using Supervisor.Protocol.Handshake;
using Supervisor.Protocol.Static;

namespace Supervisor.Protocol.Tests;

/// <summary>The static file server's path rules: split on raw '/', decode each segment
/// strictly, refuse anything that could leave the root or name a hidden file.</summary>
public class StaticPathTests
{
    [Theory]
    [InlineData("/", new string[0], true)]
    [InlineData("/index.html", new[] { "index.html" }, false)]
    [InlineData("/sub/", new[] { "sub" }, true)]
    [InlineData("/sub/page.html", new[] { "sub", "page.html" }, false)]
    [InlineData("/with%20space.txt", new[] { "with space.txt" }, false)]
    [InlineData("/caf%C3%A9.txt", new[] { "café.txt" }, false)]
    [InlineData("/a+b.txt", new[] { "a+b.txt" }, false)]          // '+' is a plus in a path
    [InlineData("/v1.2/x..y", new[] { "v1.2", "x..y" }, false)]   // dots inside a name are fine
    public void Decode_ValidPath_Segments(string raw, string[] segments, bool trailingSlash)
    {
        var decoded = StaticPath.Decode(raw, out bool slash);

        Assert.Equal(segments, decoded);
        Assert.Equal(trailingSlash, slash);
    }

    [Theory]
    [InlineData("")]
    [InlineData("index.html")]               // not origin-form
    [InlineData("/..")]
    [InlineData("/../etc/passwd")]
    [InlineData("/a/../b")]
    [InlineData("/./a")]
    [InlineData("/%2e%2e/etc/passwd")]       // encoded dots
    [InlineData("/%2E%2E")]
    [InlineData("/.%2e/x")]
    [InlineData("/..%2fetc%2fpasswd")]       // encoded slash inside a segment
    [InlineData("/a%2fb")]
    [InlineData("/a%5cb")]                   // backslash
    [InlineData("/a%00.html")]               // NUL
    [InlineData("/a%0a.html")]               // control character
    [InlineData("/.git/config")]             // dot-files
    [InlineData("/%2egit")]
    [InlineData("//etc/passwd")]             // empty segment
    [InlineData("/a//b")]
    [InlineData("/%")]                       // broken escapes
    [InlineData("/%4")]
    [InlineData("/%zz")]
    [InlineData("/%ff%fe")]                  // not UTF-8
    [InlineData("/%c0%ae%c0%ae/")]           // overlong UTF-8 for ".."
    public void Decode_UnsafePath_Null(string raw)
    {
        Assert.Null(StaticPath.Decode(raw, out _));
    }

    [Theory]
    [InlineData("index.html", "text/html; charset=utf-8")]
    [InlineData("app.JS", "text/javascript; charset=utf-8")]
    [InlineData("mod.mjs", "text/javascript; charset=utf-8")]
    [InlineData("a.css", "text/css; charset=utf-8")]
    [InlineData("d.json", "application/json")]
    [InlineData("i.svg", "image/svg+xml")]
    [InlineData("i.png", "image/png")]
    [InlineData("i.jpeg", "image/jpeg")]
    [InlineData("m.wasm", "application/wasm")]
    [InlineData("f.woff2", "font/woff2")]
    [InlineData("README", "application/octet-stream")]
    [InlineData("x.exe", "application/octet-stream")]
    public void ContentTypes_ByExtension(string name, string type)
    {
        Assert.Equal(type, ContentTypes.For(name));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true)]
    [InlineData("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n", true)]  // not ours to upgrade
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", false)]                                                      // no Host: the validator's 400
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: WebSocket\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", false)]
    public void IsPlainGetOrHead_ByMethodAndUpgrade(string request, bool plain)
    {
        var head = HandshakeParser.TryParse(System.Text.Encoding.ASCII.GetBytes(request), 8192).Head!;

        Assert.Equal(plain, StaticRequest.IsPlainGetOrHead(head));
    }

    [Fact]
    public void HttpDate_RoundTripsWholeSeconds()
    {
        var time = new DateTimeOffset(1994, 11, 6, 8, 49, 37, 250, TimeSpan.Zero);

        string text = HttpDate.Format(time);

        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", text);
        Assert.True(HttpDate.TryParse(text, out var back));
        Assert.Equal(HttpDate.Truncate(time), back);
        Assert.False(HttpDate.TryParse("yesterday", out _));
    }
}
