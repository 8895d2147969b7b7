using System.Buffers.Binary;

namespace Supervisor.Conformance.Wire;

/// <summary>One frame as the server sent it.</summary>
public sealed record ServerFrame(bool Fin, int Rsv, byte Opcode, bool Masked, byte[] Payload);

/// <summary>
/// Cuts the server's byte stream into frames, without judging them (the client does).
/// Says "need more" by returning null without consuming.
/// </summary>
public static class FrameParser
{
    /// <summary>Payloads larger than this are a broken server, not a message we wait for.</summary>
    public const long MaxPayload = 64L * 1024 * 1024;

    public static ServerFrame? TryParse(ReadOnlySpan<byte> buffer, out int consumed)
    {
        consumed = 0;
        if (buffer.Length < 2)
            return null;
        bool fin = (buffer[0] & 0x80) != 0;
        int rsv = (buffer[0] >> 4) & 7;
        byte opcode = (byte)(buffer[0] & 0x0F);
        bool masked = (buffer[1] & 0x80) != 0;
        long length = buffer[1] & 0x7F;
        int offset = 2;
        if (length == 126)
        {
            if (buffer.Length < 4)
                return null;
            length = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
            offset = 4;
        }
        else if (length == 127)
        {
            if (buffer.Length < 10)
                return null;
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(buffer[2..]);
            offset = 10;
        }
        if (length is < 0 or > MaxPayload)
            throw new InvalidDataException($"server frame of {length} bytes");
        byte[] key = [];
        if (masked)
        {
            if (buffer.Length < offset + 4)
                return null;
            key = buffer.Slice(offset, 4).ToArray();
            offset += 4;
        }
        if (buffer.Length < offset + length)
            return null;
        byte[] payload = buffer.Slice(offset, (int)length).ToArray();
        if (masked)
            FrameBuilder.ApplyMask(payload, key, 0);
        consumed = offset + (int)length;
        return new ServerFrame(fin, rsv, opcode, masked, payload);
    }
}
