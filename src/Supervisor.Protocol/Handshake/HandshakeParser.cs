namespace Supervisor.Protocol.Handshake;

/// <summary>
/// Parses an HTTP/1.1 request head from the bytes received so far. It never consumes:
/// it reports NeedMore until "\r\n\r\n" is present, then Complete with Consumed = the
/// head's length including that terminator (bytes after it belong to the WebSocket and
/// are not looked at), or Rejected with a reason as soon as the bytes already in hand
/// cannot become a valid head (e.g. a request line with a control character, or more
/// than <paramref name="maxHeadBytes"/> bytes without a terminator).
/// </summary>
public static class HandshakeParser
{
    public const int DefaultMaxHeadBytes = 8 * 1024;

    public static ParseResult TryParse(ReadOnlySpan<byte> received, int maxHeadBytes = DefaultMaxHeadBytes)
        => throw new NotImplementedException();

    /// <summary>The length of the head in <paramref name="received"/> including its
    /// "\r\n\r\n", or -1 when the terminator is not there yet.</summary>
    public static int FindHeadEnd(ReadOnlySpan<byte> received) => throw new NotImplementedException();
}
