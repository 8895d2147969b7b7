using System.Buffers.Binary;

namespace Supervisor.Handoff;

/// <summary>
/// One message on the control channel: a type byte, a 4-byte big-endian payload length,
/// the payload. A stream socket keeps no boundaries, so the length is what frames it.
/// </summary>
public readonly record struct ControlFrame(FrameType Type, ReadOnlyMemory<byte> Payload)
{
    public const int HeaderSize = 5;

    /// <summary>A frame longer than this is a broken peer, not a message.</summary>
    public const int MaxPayload = 64 * 1024 * 1024;

    public byte[] Encode() => Encode(Type, Payload.Span);

    /// <summary>The frame's bytes straight from a payload span: one copy, not two.</summary>
    public static byte[] Encode(FrameType type, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[HeaderSize + payload.Length];
        bytes[0] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), payload.Length);
        payload.CopyTo(bytes.AsSpan(HeaderSize));
        return bytes;
    }

    /// <summary>Looks for the first frame in <paramref name="received"/> without consuming
    /// anything: <see cref="FrameStatus.NeedMore"/> until all of it is there, then the frame
    /// (its payload copied out of <paramref name="received"/>) and in
    /// <paramref name="consumed"/> its length in bytes. A length out of range means the
    /// stream has lost its framing; nothing after it can be read.</summary>
    public static FrameStatus TryRead(ReadOnlySpan<byte> received, out ControlFrame frame, out int consumed)
    {
        frame = default;
        consumed = 0;
        if (received.Length < HeaderSize)
            return FrameStatus.NeedMore;
        int length = ReadPayloadLength(received);
        if (length < 0)
            return FrameStatus.LengthOutOfRange;
        if (received.Length - HeaderSize < length)
            return FrameStatus.NeedMore;
        byte[] payload = length == 0 ? [] : received.Slice(HeaderSize, length).ToArray();
        frame = new ControlFrame((FrameType)received[0], payload);
        consumed = HeaderSize + length;
        return FrameStatus.Complete;
    }

    /// <summary>Reads the header at the start of <paramref name="header"/>; the payload length
    /// or -1 if it is out of range.</summary>
    public static int ReadPayloadLength(ReadOnlySpan<byte> header)
    {
        int length = BinaryPrimitives.ReadInt32BigEndian(header[1..]);
        return length is < 0 or > MaxPayload ? -1 : length;
    }
}

public enum FrameStatus
{
    /// <summary>Not all of the frame has arrived; nothing wrong so far.</summary>
    NeedMore,
    Complete,
    LengthOutOfRange,
}
