using System.Buffers.Binary;

namespace Supervisor.Protocol.Frames;

/// <summary>
/// The header of a frame a server sends (RFC 6455 §5.2): FIN, RSV1 for a compressed
/// message (RFC 7692 §6) and RSV2-3 clear, the opcode, MASK clear (a server never masks,
/// §5.1), and the payload length in the shortest of its three forms (7 bits, 16 bits
/// after 126, 64 bits after 127).
/// </summary>
public static class ServerFrameHeader
{
    public static int SizeFor(long payloadLength) => payloadLength switch
    {
        <= 125 => 2,
        <= ushort.MaxValue => 4,
        _ => 10,
    };

    /// <summary>Writes the header into <paramref name="destination"/>; returns its size.</summary>
    public static int Write(Span<byte> destination, Opcode opcode, bool fin, long payloadLength, bool compressed = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        destination[0] = (byte)((fin ? 0x80 : 0x00) | (compressed ? 0x40 : 0x00) | (byte)opcode);
        int size = SizeFor(payloadLength);
        switch (size)
        {
            case 2:
                destination[1] = (byte)payloadLength;
                break;
            case 4:
                destination[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
                break;
            default:
                destination[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
                break;
        }
        return size;
    }
}
