namespace Supervisor.Protocol.Handshake;

/// <summary>
/// The header fields the server writes itself, in some response of <see cref="HttpResponses"/>
/// or <see cref="Static.StaticResponses"/>, and Transfer-Encoding, which it never writes but
/// which would reframe any body. An extra header (--header) of one of these names would
/// repeat or contradict the server's own: a second Upgrade on the 101 breaks every
/// handshake, a second Content-Length makes the response unparseable (RFC 9112 §6.3).
/// </summary>
public static class ServerHeaders
{
    public static readonly IReadOnlyList<string> Names =
    [
        "Upgrade", "Connection", "Sec-WebSocket-*", "Content-Length", "Transfer-Encoding", "Content-Type",
        "Allow", "Retry-After", "Location", "Last-Modified", "ETag", "Cache-Control", "X-Content-Type-Options",
    ];

    /// <summary>Field names are case-insensitive (RFC 9110 §5.1).</summary>
    public static bool IsServers(string name) =>
        name.StartsWith("Sec-WebSocket-", StringComparison.OrdinalIgnoreCase)
        || Names.Contains(name, StringComparer.OrdinalIgnoreCase);
}
