using Supervisor.Handoff;

namespace Supervisor.Acceptor.Channels;

/// <summary>
/// Frames out of a stream that arrives in pieces: each read's bytes go in, every whole frame
/// comes out, and the start of a frame whose rest is still on its way is kept for the next
/// read. It keeps nothing between whole frames (frames from a worker are a few bytes, and
/// arrive whole), so a thousand quiet channels cost a thousand empty fields.
/// </summary>
public sealed class FrameAssembler
{
    private byte[]? _partial;
    private int _partialLength;

    /// <summary>Hands every frame completed by <paramref name="received"/> to
    /// <paramref name="onFrame"/>, in order. False once the stream has lost its framing (a
    /// length out of range): nothing more from it can be read.</summary>
    public bool Feed(ReadOnlySpan<byte> received, Action<ControlFrame> onFrame)
    {
        if (_partialLength == 0)
            return Keep(received, TakeFrames(received, onFrame));

        Append(received);
        return Keep(_partial.AsSpan(0, _partialLength), TakeFrames(_partial.AsSpan(0, _partialLength), onFrame));
    }

    /// <summary>How many bytes the whole frames at the start took, or -1 for a broken length.</summary>
    private static int TakeFrames(ReadOnlySpan<byte> bytes, Action<ControlFrame> onFrame)
    {
        int used = 0;
        while (true)
        {
            switch (ControlFrame.TryRead(bytes[used..], out var frame, out int consumed))
            {
                case FrameStatus.Complete:
                    onFrame(frame);
                    used += consumed;
                    break;
                case FrameStatus.NeedMore:
                    return used;
                default:
                    return -1;
            }
        }
    }

    /// <summary>Keeps what follows the whole frames (the start of the next one) for the next read.</summary>
    private bool Keep(ReadOnlySpan<byte> bytes, int used)
    {
        if (used < 0)
        {
            _partial = null;
            _partialLength = 0;
            return false;
        }
        var rest = bytes[used..];
        if (rest.IsEmpty)
        {
            _partial = null;
            _partialLength = 0;
            return true;
        }
        if (_partial is null || _partial.Length < rest.Length)
        {
            var larger = new byte[Math.Max(rest.Length, 64)];
            rest.CopyTo(larger);
            _partial = larger;
        }
        else
            rest.CopyTo(_partial); // moving left within the same array: Span.CopyTo handles overlap
        _partialLength = rest.Length;
        return true;
    }

    private void Append(ReadOnlySpan<byte> received)
    {
        int needed = _partialLength + received.Length;
        if (_partial!.Length < needed)
        {
            var larger = new byte[Math.Max(needed, _partial.Length * 2)];
            _partial.AsSpan(0, _partialLength).CopyTo(larger);
            _partial = larger;
        }
        received.CopyTo(_partial.AsSpan(_partialLength));
        _partialLength = needed;
    }
}
