using System.Buffers.Binary;

namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>Client frames built byte by byte (RFC 6455 §5.2), for what a well-behaved
/// client library will not send: a frame header promising more than is ever sent.</summary>
public static class MaskedFrames
{
    /// <summary>A masked frame header: FIN, RSV bits and opcode in the first byte, then a
    /// 16- or 64-bit length as needed and the masking key.</summary>
    public static byte[] Header(byte finRsvOpcode, long payloadLength, ReadOnlySpan<byte> mask)
    {
        var header = new List<byte> { finRsvOpcode };
        if (payloadLength < 126)
        {
            header.Add((byte)(0x80 | payloadLength));
        }
        else if (payloadLength <= ushort.MaxValue)
        {
            header.Add(0x80 | 126);
            header.AddRange(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness((ushort)payloadLength)));
        }
        else
        {
            header.Add(0x80 | 127);
            header.AddRange(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(payloadLength)));
        }
        header.AddRange(mask.ToArray());
        return header.ToArray();
    }

    /// <summary>Masks <paramref name="payload"/> as if it started at <paramref name="offset"/>
    /// bytes into the frame's payload (the key rotates with the position, §5.3).</summary>
    public static byte[] Mask(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> mask, long offset)
    {
        var masked = new byte[payload.Length];
        for (int i = 0; i < payload.Length; i++)
            masked[i] = (byte)(payload[i] ^ mask[(int)((offset + i) & 3)]);
        return masked;
    }
}
