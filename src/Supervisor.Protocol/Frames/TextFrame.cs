namespace Supervisor.Protocol.Frames;

/// <summary>
/// A server's text message as one unfragmented frame: what the acceptor writes to a client
/// when it pushes a broadcast or targeted message itself. Never compressed, whatever
/// permessage-deflate agreed: RFC 7692 §6 lets an endpoint send any message uncompressed
/// (RSV1 clear), and a message that bypasses the compressor leaves its context as it was.
/// </summary>
public static class TextFrame
{
    /// <summary>FIN + opcode 0x1 (<see cref="ServerFrameHeader"/>), then
    /// <paramref name="utf8"/>, which the caller has made valid UTF-8 (§5.6).</summary>
    public static byte[] Server(ReadOnlySpan<byte> utf8)
    {
        var frame = new byte[ServerFrameHeader.SizeFor(utf8.Length) + utf8.Length];
        int header = ServerFrameHeader.Write(frame, Opcode.Text, fin: true, utf8.Length);
        utf8.CopyTo(frame.AsSpan(header));
        return frame;
    }
}
