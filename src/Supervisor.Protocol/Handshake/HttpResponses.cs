using System.Globalization;
using System.Text;

namespace Supervisor.Protocol.Handshake;

/// <summary>The bytes of every response the acceptor writes before handing over.</summary>
public static class HttpResponses
{
    /// <summary>"HTTP/1.1 101 Switching Protocols" with Upgrade, Connection,
    /// Sec-WebSocket-Accept, and the optional subprotocol, extensions and extra headers
    /// (each "Name: value", already validated).</summary>
    /// <exception cref="ArgumentException">Some text holds a CR, LF or other character
    /// that could split the response.</exception>
    public static byte[] SwitchingProtocols(string acceptKey, string? subprotocol = null,
        string? extensions = null, IReadOnlyList<string>? extraHeaders = null)
    {
        ArgumentNullException.ThrowIfNull(acceptKey);

        // RFC 6455 §4.2.2 step 5: status line, Upgrade, Connection, Sec-WebSocket-Accept,
        // then the subprotocol the server chose (one, or none) and the extensions it accepted.
        var sb = new StringBuilder(256)
            .Append("HTTP/1.1 101 Switching Protocols\r\n")
            .Append("Upgrade: websocket\r\n")
            .Append("Connection: Upgrade\r\n")
            .Append("Sec-WebSocket-Accept: ").Append(ResponseText.FieldValue(acceptKey, nameof(acceptKey))).Append("\r\n");
        if (!string.IsNullOrEmpty(subprotocol))
            sb.Append("Sec-WebSocket-Protocol: ").Append(ResponseText.FieldValue(subprotocol, nameof(subprotocol))).Append("\r\n");
        if (!string.IsNullOrEmpty(extensions))
            sb.Append("Sec-WebSocket-Extensions: ").Append(ResponseText.FieldValue(extensions, nameof(extensions))).Append("\r\n");
        AppendExtra(sb, extraHeaders);
        sb.Append("\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>A complete response for a rejection: status line, Content-Type text/plain,
    /// Content-Length, Connection: close, the reason's extra headers (Allow: GET, or GET, HEAD, for 405,
    /// Sec-WebSocket-Version: 13 for 426, Retry-After for every "retry later" refusal), and a body
    /// of <see cref="Rejections.Describe"/> plus <paramref name="detail"/> when given.</summary>
    /// <remarks><paramref name="detail"/> may echo client input: it is folded to one line
    /// (control characters become spaces) and cut to 200 characters.</remarks>
    public static byte[] Rejection(RejectionReason reason, string? detail = null, IReadOnlyList<string>? extraHeaders = null)
    {
        int status = Rejections.StatusCode(reason);   // throws for None

        string body = Rejections.Describe(reason);
        string safeDetail = detail is null ? "" : ResponseText.OneLine(detail);
        if (safeDetail.Length > 0) body += " " + safeDetail;
        byte[] bodyBytes = Encoding.UTF8.GetBytes(body + "\n");

        var sb = new StringBuilder(256)
            .Append("HTTP/1.1 ").Append(status.ToString(CultureInfo.InvariantCulture))
            .Append(' ').Append(ResponseText.ReasonPhrase(status)).Append("\r\n")
            .Append("Content-Type: text/plain; charset=utf-8\r\n")
            .Append("Content-Length: ").Append(bodyBytes.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");

        switch (reason)
        {
            case RejectionReason.MethodNotGet:
                // RFC 9110 §15.5.6: a 405 MUST carry Allow.
                sb.Append("Connection: close\r\n").Append("Allow: GET\r\n");
                break;
            case RejectionReason.AsteriskForm or RejectionReason.StaticMethodNotAllowed:
                // HEAD is served wherever files are, and every server has /ws-supervisor.js.
                sb.Append("Connection: close\r\n").Append("Allow: GET, HEAD\r\n");
                break;
            case RejectionReason.UnsupportedVersion:
                // RFC 6455 §4.2.2: say which versions we speak. RFC 9110 §15.5.22: a 426
                // MUST carry Upgrade, and §7.8 then wants "upgrade" in Connection.
                sb.Append("Connection: Upgrade, close\r\n")
                  .Append("Upgrade: websocket\r\n")
                  .Append("Sec-WebSocket-Version: 13\r\n");
                break;
            case var _ when Rejections.IsRetryLater(reason):
                // RFC 9110 §10.2.3 (and RFC 6585 §4 for 429): a hint for clients that
                // honour it; browsers reconnect on their own schedule anyway.
                sb.Append("Connection: close\r\n").Append("Retry-After: 1\r\n");
                break;
            default:
                sb.Append("Connection: close\r\n");
                break;
        }
        AppendExtra(sb, extraHeaders);
        sb.Append("\r\n");

        string head = sb.ToString();
        var response = new byte[head.Length + bodyBytes.Length];   // ASCII: one byte per char
        Encoding.ASCII.GetBytes(head, response);
        bodyBytes.CopyTo(response, head.Length);
        return response;
    }

    private static void AppendExtra(StringBuilder sb, IReadOnlyList<string>? extraHeaders)
    {
        if (extraHeaders is null) return;
        foreach (var line in extraHeaders)
        {
            ArgumentNullException.ThrowIfNull(line, nameof(extraHeaders));
            sb.Append(ResponseText.HeaderLine(line, nameof(extraHeaders))).Append("\r\n");
        }
    }
}
