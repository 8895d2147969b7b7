namespace Supervisor.Protocol.Handshake;

/// <summary>The bytes of every response the acceptor writes before handing over.</summary>
public static class HttpResponses
{
    /// <summary>"HTTP/1.1 101 Switching Protocols" with Upgrade, Connection,
    /// Sec-WebSocket-Accept, and the optional subprotocol, extensions and extra headers
    /// (each "Name: value", already validated).</summary>
    public static byte[] SwitchingProtocols(string acceptKey, string? subprotocol = null,
        string? extensions = null, IReadOnlyList<string>? extraHeaders = null)
        => throw new NotImplementedException();

    /// <summary>A complete response for a rejection: status line, Content-Type text/plain,
    /// Content-Length, Connection: close, the reason's extra headers (Allow: GET for 405,
    /// Sec-WebSocket-Version: 13 for 426, Retry-After for 503 at capacity), and a body
    /// of <see cref="Rejections.Describe"/> plus <paramref name="detail"/> when given.</summary>
    public static byte[] Rejection(RejectionReason reason, string? detail = null, IReadOnlyList<string>? extraHeaders = null)
        => throw new NotImplementedException();
}
