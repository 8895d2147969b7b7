using System.Buffers.Binary;
using Supervisor.Protocol.Frames;

namespace Supervisor.Protocol.Engine;

/// <summary>
/// A frame header as a client sent it (RFC 6455 §5.2), decoded but not yet judged:
/// <see cref="FrameRules"/> says whether the connection may carry it.
/// </summary>
public readonly record struct ReceivedFrameHeader(
    bool Fin, byte ReservedBits, byte RawOpcode, bool Masked, ulong PayloadLength, uint MaskKey, int Size)
{
    /// <summary>RSV1 in <see cref="ReservedBits"/> (RSV1 RSV2 RSV3, highest first).</summary>
    public const byte Rsv1Bit = 0x4;

    public Opcode Opcode => (Opcode)RawOpcode;

    /// <summary>RFC 7692 §6: with permessage-deflate agreed, "this message is compressed",
    /// on the first frame of a data message.</summary>
    public bool Rsv1 => (ReservedBits & Rsv1Bit) != 0;

    /// <summary>Close, ping and pong (opcodes 0x8–0xF, §5.5).</summary>
    public bool IsControl => (RawOpcode & 0x8) != 0;

    /// <summary>
    /// Decodes the header at the start of <paramref name="bytes"/>. False, consuming
    /// nothing, while it is incomplete; <paramref name="needed"/> is then how many bytes the
    /// header needs in all, as far as can be told yet (2 until the length byte is in).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out ReceivedFrameHeader header, out int needed)
    {
        header = default;
        needed = 2;
        if (bytes.Length < needed)
            return false;

        byte first = bytes[0], second = bytes[1];
        int length7 = second & 0x7F;
        int lengthBytes = length7 switch { 126 => 2, 127 => 8, _ => 0 };
        bool masked = (second & 0x80) != 0;
        needed = 2 + lengthBytes + (masked ? 4 : 0);
        if (bytes.Length < needed)
            return false;

        ulong length = lengthBytes switch
        {
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]),
            8 => BinaryPrimitives.ReadUInt64BigEndian(bytes[2..]),
            _ => (ulong)length7,
        };
        // The key as it lies in memory: XOR-ing it as one little-endian word over the payload
        // applies key byte i to payload byte i (mod 4), as §5.3 says.
        uint key = masked ? BinaryPrimitives.ReadUInt32LittleEndian(bytes[(2 + lengthBytes)..]) : 0;
        header = new ReceivedFrameHeader(
            Fin: (first & 0x80) != 0,
            ReservedBits: (byte)((first >> 4) & 0x7),
            RawOpcode: (byte)(first & 0x0F),
            Masked: masked,
            PayloadLength: length,
            MaskKey: key,
            Size: needed);
        return true;
    }
}
