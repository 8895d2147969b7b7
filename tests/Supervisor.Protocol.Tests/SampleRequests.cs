using System.Text;
using Supervisor.Protocol.Handshake;

namespace Supervisor.Protocol.Tests;

/// <summary>Requests as real browsers send them, and helpers to turn text into bytes.</summary>
internal static class SampleRequests
{
    // Chrome 131 (captured shape): one Connection token, deflate offer with a parameter.
    public const string Chrome =
        "GET /chat?room=lobby&x=1 HTTP/1.1\r\n" +
        "Host: localhost:8080\r\n" +
        "Connection: Upgrade\r\n" +
        "Pragma: no-cache\r\n" +
        "Cache-Control: no-cache\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n" +
        "Upgrade: websocket\r\n" +
        "Origin: http://localhost:8080\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
        "Accept-Language: en-US,en;q=0.9\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" +
        "\r\n";

    // Firefox 128: "Connection: keep-alive, Upgrade" is a list, and Upgrade comes last.
    public const string Firefox =
        "GET /chat HTTP/1.1\r\n" +
        "Host: example.com\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
        "Accept: */*\r\n" +
        "Accept-Language: en-US,en;q=0.5\r\n" +
        "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "Origin: https://example.com\r\n" +
        "Sec-WebSocket-Protocol: chat, superchat\r\n" +
        "Sec-WebSocket-Extensions: permessage-deflate\r\n" +
        "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n" +
        "Connection: keep-alive, Upgrade\r\n" +
        "Sec-Fetch-Dest: empty\r\n" +
        "Sec-Fetch-Mode: websocket\r\n" +
        "Sec-Fetch-Site: same-origin\r\n" +
        "Pragma: no-cache\r\n" +
        "Cache-Control: no-cache\r\n" +
        "Upgrade: websocket\r\n" +
        "\r\n";

    // What a client that ended a previous request with an extra CRLF (RFC 9112 §2.2)
    // and speaks to us as to a proxy (absolute-form, RFC 9112 §3.2.2) sends.
    public const string AbsoluteAfterEmptyLines =
        "\r\n\r\n" +
        "GET ws://example.com:8080/chat?x=1 HTTP/1.1\r\n" +
        "Host: example.com:8080\r\n" +
        "Upgrade: websocket\r\n" +
        "Connection: Upgrade\r\n" +
        "Content-Length: 0\r\n" +
        "Expect: 100-continue\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "\r\n";

    public static readonly IReadOnlyDictionary<string, string> ByName = new Dictionary<string, string>
    {
        ["Chrome"] = Chrome,
        ["Firefox"] = Firefox,
        ["AbsoluteAfterEmptyLines"] = AbsoluteAfterEmptyLines,
    };

    /// <summary>Latin-1: each char is one byte, so tests can write any byte as \xNN.</summary>
    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>Parses a head that must be complete and valid.</summary>
    public static RequestHead Parse(string text)
    {
        var result = HandshakeParser.TryParse(Bytes(text));
        Assert.Equal(ParseStatus.Complete, result.Status);
        return result.Head!;
    }

    /// <summary>A minimal valid upgrade request with <paramref name="extraLines"/> added
    /// and any header named in <paramref name="without"/> left out.</summary>
    public static string Minimal(string[]? extraLines = null, string[]? without = null, string requestLine = "GET /echo HTTP/1.1")
    {
        string[] baseLines =
        [
            "Host: example.com",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        ];
        var sb = new StringBuilder(requestLine).Append("\r\n");
        foreach (var line in baseLines)
        {
            string name = line[..line.IndexOf(':')];
            if (without is null || !without.Contains(name)) sb.Append(line).Append("\r\n");
        }
        foreach (var line in extraLines ?? []) sb.Append(line).Append("\r\n");
        return sb.Append("\r\n").ToString();
    }
}
