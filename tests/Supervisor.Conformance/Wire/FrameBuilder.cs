using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Supervisor.Conformance.Wire;

/// <summary>
/// Client frames byte by byte (RFC 6455 §5.2), valid or not: any opcode, any RSV bits,
/// a payload length that need not match a control frame's limit. Masked with a random
/// key (§5.3) unless told otherwise.
/// </summary>
public static class FrameBuilder
{
    public static byte[] Build(byte opcode, ReadOnlySpan<byte> payload, bool fin = true, int rsv = 0, bool mask = true)
    {
        var frame = new byte[HeaderLength(payload.Length, mask) + payload.Length];
        int offset = WriteHeader(frame, opcode, payload.Length, fin, rsv, mask, out var key);
        payload.CopyTo(frame.AsSpan(offset));
        if (mask)
            ApplyMask(frame.AsSpan(offset), key, 0);
        return frame;
    }

    /// <summary>A close frame: the code (none if null) and the reason bytes, as given.</summary>
    public static byte[] Close(int? code, ReadOnlySpan<byte> reason = default, int rsv = 0)
    {
        if (code is null)
            return Build(Opcode.Close, reason, rsv: rsv);
        var payload = new byte[2 + reason.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code.Value);
        reason.CopyTo(payload.AsSpan(2));
        return Build(Opcode.Close, payload, rsv: rsv);
    }

    /// <summary>The payload Autobahn sends for "payload_len = N": a pattern repeated to N bytes.</summary>
    public static byte[] Repeat(ReadOnlySpan<byte> pattern, int length)
    {
        var payload = new byte[length];
        for (int i = 0; i < length; i += pattern.Length)
            pattern[..Math.Min(pattern.Length, length - i)].CopyTo(payload.AsSpan(i));
        return payload;
    }

    public static int HeaderLength(long payloadLength, bool mask) =>
        2 + (payloadLength < 126 ? 0 : payloadLength <= ushort.MaxValue ? 2 : 8) + (mask ? 4 : 0);

    /// <summary>Writes FIN/RSV/opcode, the length in its shortest form and the key; returns
    /// where the payload starts.</summary>
    public static int WriteHeader(Span<byte> destination, byte opcode, long payloadLength, bool fin, int rsv, bool mask, out byte[] key)
    {
        destination[0] = (byte)((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0F));
        byte maskBit = mask ? (byte)0x80 : (byte)0;
        int offset;
        if (payloadLength < 126)
        {
            destination[1] = (byte)(maskBit | payloadLength);
            offset = 2;
        }
        else if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = (byte)(maskBit | 126);
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            offset = 4;
        }
        else
        {
            destination[1] = (byte)(maskBit | 127);
            BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
            offset = 10;
        }
        key = mask ? RandomNumberGenerator.GetBytes(4) : [];
        key.CopyTo(destination[offset..]);
        return offset + key.Length;
    }

    public static void ApplyMask(Span<byte> data, ReadOnlySpan<byte> key, long offset)
    {
        for (int i = 0; i < data.Length; i++)
            data[i] ^= key[(int)((offset + i) & 3)];
    }
}
