using System.Buffers.Binary;

namespace Supervisor.Protocol.Frames;

/// <summary>
/// A server's text message as one unfragmented frame: what the acceptor writes to a client
/// when it pushes a broadcast or targeted message itself. Never compressed, whatever
/// permessage-deflate agreed: RFC 7692 §6 lets an endpoint send any message uncompressed
/// (RSV1 clear), and a message that bypasses the compressor leaves its context as it was.
/// </summary>
public static class TextFrame
{
    /// <summary>FIN + opcode 0x1, the length in the shortest of its three forms (RFC 6455
    /// §5.2), no mask (a server never masks, §5.1), then <paramref name="utf8"/>, which the
    /// caller has made valid UTF-8 (§5.6).</summary>
    public static byte[] Server(ReadOnlySpan<byte> utf8)
    {
        int header = utf8.Length switch
        {
            <= 125 => 2,
            <= ushort.MaxValue => 4,
            _ => 10,
        };
        var frame = new byte[header + utf8.Length];
        frame[0] = 0x81; // FIN, RSV1-3 clear, opcode 1 (text)
        switch (header)
        {
            case 2:
                frame[1] = (byte)utf8.Length;
                break;
            case 4:
                frame[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)utf8.Length);
                break;
            default:
                frame[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)utf8.Length);
                break;
        }
        utf8.CopyTo(frame.AsSpan(header));
        return frame;
    }
}
