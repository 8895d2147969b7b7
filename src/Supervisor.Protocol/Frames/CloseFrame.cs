using System.Buffers.Binary;
using System.Text;

namespace Supervisor.Protocol.Frames;

/// <summary>
/// A server's close frame, which the acceptor writes itself right after a 101 when a
/// connection is refused for a "retry later" limit. Besides pushed messages
/// (<see cref="TextFrame"/>), everything else on a WebSocket is the worker's business
/// (<see cref="Engine.ServerWebSocket"/> sends its close frames with this too).
/// </summary>
public static class CloseFrame
{
    /// <summary>RFC 6455 §5.5: a control frame's payload is at most 125 bytes; the status
    /// code takes 2 (§5.5.1), leaving 123 for the reason.</summary>
    public const int MaxReasonBytes = 123;

    /// <summary>"Try Again Later" (IANA WebSocket Close Code Number Registry).</summary>
    public const ushort TryAgainLater = 1013;

    /// <summary>
    /// FIN + opcode 0x8, an unmasked 7-bit length (a server never masks, §5.1), the code
    /// big-endian, then the reason in UTF-8, cut at a character boundary to fit.
    /// </summary>
    public static byte[] Server(ushort code, string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        // §7.4.1/§7.4.2: 1005, 1006 and 1015 must never be sent; below 1000 is unused.
        if (code < 1000 || code is 1004 or 1005 or 1006 or 1015 || code >= 5000)
            throw new ArgumentOutOfRangeException(nameof(code), code, "Not a close code an endpoint may send.");

        byte[] text = Encoding.UTF8.GetBytes(reason);
        int length = text.Length;
        if (length > MaxReasonBytes)
        {
            length = MaxReasonBytes;
            while (length > 0 && (text[length] & 0xC0) == 0x80)
                length--; // text[length] continues a character: cut before that character starts
        }

        var frame = new byte[4 + length];
        frame[0] = 0x88;                 // FIN, RSV1-3 clear, opcode 8 (close)
        frame[1] = (byte)(2 + length);   // MASK clear, payload length ≤ 125
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), code);
        text.AsSpan(0, length).CopyTo(frame.AsSpan(4));
        return frame;
    }
}
