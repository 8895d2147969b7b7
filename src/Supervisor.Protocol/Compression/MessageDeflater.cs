using static Supervisor.Protocol.Compression.CompressionNative;

namespace Supervisor.Protocol.Compression;

/// <summary>
/// RFC 7692 §7.2.1 for one whole message with no context takeover: raw DEFLATE of the
/// message, ended by a sync flush whose empty stored block (00 00 FF FF) is then removed.
/// Each call has a zlib state of its own, freed before it returns, so nothing is held
/// between messages.
/// </summary>
public static class MessageDeflater
{
    /// <summary>The tail §7.2.1 removes from a compressed message and §7.2.2 appends back.</summary>
    public static ReadOnlySpan<byte> FlushMarker => [0x00, 0x00, 0xFF, 0xFF];

    /// <summary>The smallest window zlib makes for raw DEFLATE (it turns 8 into 9).</summary>
    public const int MinWindowBits = 9;

    /// <summary>The largest, 32 KiB, used when no server_max_window_bits was agreed (§7.1.2.1).</summary>
    public const int MaxWindowBits = 15;

    /// <summary>zlib's MIN_LOOKAHEAD: a match may reach back at most the window size less
    /// this (deflate.h, MAX_DIST).</summary>
    private const int Lookahead = 262;

    /// <summary>zlib's default memLevel, as the BCL's deflater uses.</summary>
    private const int MemLevel = 8;

    /// <summary>
    /// Deflates <paramref name="message"/> into <paramref name="output"/>, which must have
    /// room for the message and 4 bytes more. False, with nothing to send, when the result
    /// would not be shorter than the message: it then goes as it is, RSV1 clear (§6 lets any
    /// message go uncompressed).
    /// </summary>
    /// <param name="maxWindowBits">The window agreed (server_max_window_bits, 9..15); a
    /// message shorter than that window is deflated with one just big enough for it, which
    /// finds the same matches with less memory to allocate and clear.</param>
    public static unsafe bool TryDeflate(ReadOnlySpan<byte> message, Span<byte> output, int maxWindowBits, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWindowBits, MinWindowBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxWindowBits, MaxWindowBits);
        ArgumentOutOfRangeException.ThrowIfLessThan(output.Length, message.Length + FlushMarker.Length);
        written = 0;
        int windowBits = MinWindowBits;
        while (windowBits < maxWindowBits && (1 << windowBits) - Lookahead < message.Length)
            windowBits++;

        var stream = new PAL_ZStream();
        int code = CompressionNative_DeflateInit2_(ref stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -windowBits, MemLevel, Z_DEFAULT_STRATEGY);
        if (code != Z_OK)
        {
            if (stream.internalState != 0)
                CompressionNative_DeflateEnd(ref stream);
            throw new InsufficientMemoryException($"zlib deflateInit2: {Describe(stream, code)}");
        }
        try
        {
            fixed (byte* input = message)
            fixed (byte* room = output)
            {
                stream.nextIn = (nint)input;
                stream.availIn = (uint)message.Length;
                stream.nextOut = (nint)room;
                stream.availOut = (uint)(message.Length + FlushMarker.Length);
                code = CompressionNative_Deflate(ref stream, Z_SYNC_FLUSH);
            }
            // A sync flush is complete only if it left output room unused (zlib.h); a
            // result that fills the room is at least as long as the message anyway.
            if (code is not (Z_OK or Z_BUF_ERROR) || stream.availIn != 0 || stream.availOut == 0)
                return false;
            int total = message.Length + FlushMarker.Length - (int)stream.availOut;
            if (!output[..total].EndsWith(FlushMarker))
                return false;
            written = total - FlushMarker.Length;
            return true;
        }
        finally
        {
            CompressionNative_DeflateEnd(ref stream);
        }
    }
}
