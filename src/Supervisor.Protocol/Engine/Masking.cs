using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Supervisor.Protocol.Engine;

/// <summary>
/// RFC 6455 §5.3: payload byte i is XOR-ed with mask key byte (i mod 4). A frame's payload
/// may arrive in several reads, so the caller carries the position in the key from one
/// call to the next.
/// </summary>
public static class Masking
{
    /// <summary>Unmasks (or masks: XOR is its own inverse) <paramref name="data"/> in place,
    /// starting at key byte <paramref name="keyOffset"/>; returns the offset to go on from.</summary>
    public static int Apply(Span<byte> data, uint key, int keyOffset)
    {
        // The key rotated so that its byte keyOffset comes first, as it lies in memory.
        uint rotated = BitOperations.RotateRight(key, 8 * (keyOffset & 3));
        int done = 0;
        if (Vector.IsHardwareAccelerated && data.Length >= Vector<byte>.Count)
        {
            // Vector<byte>.Count is a multiple of 4, so the repeated key stays in step.
            var keys = new Vector<uint>(rotated);
            var words = MemoryMarshal.Cast<byte, Vector<uint>>(data);
            for (int i = 0; i < words.Length; i++)
                words[i] ^= keys;
            done = words.Length * Vector<byte>.Count;
        }
        for (; done + 4 <= data.Length; done += 4)
        {
            Span<byte> word = data.Slice(done, 4);
            BinaryPrimitives.WriteUInt32LittleEndian(word, BinaryPrimitives.ReadUInt32LittleEndian(word) ^ rotated);
        }
        for (int i = 0; done < data.Length; done++, i++)
            data[done] ^= (byte)(rotated >> (8 * i));
        return (keyOffset + data.Length) & 3;
    }
}
