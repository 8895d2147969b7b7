namespace Supervisor.Protocol.Lines;

/// <summary>
/// Cuts a byte stream (an app's stdout) into lines. A line ends at '\n'; one '\r'
/// before it is stripped too. Bytes after the last '\n' stay buffered until more
/// arrive or <see cref="Flush"/> is called at end of stream. A line longer than
/// <c>maxLineBytes</c> is reported through <see cref="LineTooLong"/> (the caller
/// decides what that means) instead of growing the buffer without bound.
/// </summary>
/// <remarks>
/// The limit counts a line's content, without its "\n" or "\r\n", so the same text is
/// accepted whichever ending the app writes. Every line is copied once into a single
/// buffer that grows (doubling) up to the limit and is reused: the memory handed to the
/// callback is valid only during the call. Not thread-safe: one reader per stream.
/// </remarks>
public sealed class LineSplitter
{
    private const int InitialBufferBytes = 256;

    private readonly int _maxLineBytes;
    private readonly bool _skipOverlong;
    private byte[] _buffer;
    private int _count;
    private bool _tooLong;
    private bool _skipping;

    public LineSplitter(int maxLineBytes) : this(maxLineBytes, skipOverlongLines: false)
    {
    }

    /// <summary>With <paramref name="skipOverlongLines"/>, a line over the limit is dropped
    /// whole (counted in <see cref="SkippedLines"/>) and splitting carries on at the next
    /// '\n': for a shared input such as the global FIFO, where one bad writer must not
    /// stop delivery of everyone else's lines.</summary>
    public LineSplitter(int maxLineBytes, bool skipOverlongLines)
    {
        _skipOverlong = skipOverlongLines;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineBytes);
        // The content may be followed by one '\r' still waiting for its '\n'.
        ArgumentOutOfRangeException.ThrowIfEqual(maxLineBytes, int.MaxValue);
        _maxLineBytes = maxLineBytes;
        _buffer = new byte[Math.Min(InitialBufferBytes, maxLineBytes + 1)];
    }

    /// <summary>Feeds bytes; calls <paramref name="onLine"/> once per complete line, in order.
    /// Returns false (and stops) if a line exceeded the limit.</summary>
    public bool Feed(ReadOnlySpan<byte> data, Action<ReadOnlyMemory<byte>> onLine)
    {
        ArgumentNullException.ThrowIfNull(onLine);
        if (_tooLong) return false;

        while (true)
        {
            if (_skipping)
            {
                int end = data.IndexOf((byte)'\n');
                if (end < 0) return true;
                _skipping = false;
                data = data[(end + 1)..];
            }

            int lf = data.IndexOf((byte)'\n');
            if (lf < 0) break;

            var piece = data[..lf];
            bool crBefore = piece.IsEmpty
                ? _count > 0 && _buffer[_count - 1] == (byte)'\r'
                : piece[^1] == (byte)'\r';
            // Checked before copying, so an over-long line never grows the buffer.
            long content = (long)_count + piece.Length - (crBefore ? 1 : 0);
            if (content > _maxLineBytes)
            {
                if (!Fail()) return false;
                data = data[(lf + 1)..]; // the rest of the over-long line ends here
                _skipping = false;
                continue;
            }

            Append(piece);
            onLine(_buffer.AsMemory(0, (int)content));
            _count = 0;
            data = data[(lf + 1)..];
        }

        if (data.IsEmpty) return true;

        // A partial line may hold the whole limit plus a '\r' whose '\n' has not come yet.
        long pending = (long)_count + data.Length;
        if (pending > _maxLineBytes && !(pending == _maxLineBytes + 1L && data[^1] == (byte)'\r'))
            return Fail();
        Append(data);
        return true;
    }

    /// <summary>End of stream: a last line without '\n' is still a line (if not empty).</summary>
    /// <remarks>End of stream ends the line as '\n' would, so a trailing '\r' is stripped
    /// too (an app that wrote "text\r\n" and was cut off before the '\n').</remarks>
    public void Flush(Action<ReadOnlyMemory<byte>> onLine)
    {
        ArgumentNullException.ThrowIfNull(onLine);
        if (_tooLong || _count == 0) return;

        int content = _buffer[_count - 1] == (byte)'\r' ? _count - 1 : _count;
        _count = 0;
        if (content > 0) onLine(_buffer.AsMemory(0, content));
    }

    public bool LineTooLong => _tooLong;

    /// <summary>Bytes of a line still waiting for its '\n' (or the rest of an over-long
    /// line being skipped).</summary>
    public bool HasPartialLine => _count > 0 || _skipping;

    /// <summary>Forgets the partial line, so the next bytes start a new one: for a shared
    /// input whose writer gave up on its line. Returns the bytes dropped (0 when the rest
    /// of an over-long line was being skipped).</summary>
    public int DiscardPartialLine()
    {
        int dropped = _count;
        _count = 0;
        _skipping = false;
        return dropped;
    }

    /// <summary>Over-long lines dropped so far (only with skipOverlongLines).</summary>
    public long SkippedLines { get; private set; }

    /// <summary>Stops for good, or in skip mode drops the line and returns true to go on
    /// (the caller then skips input up to the next '\n').</summary>
    private bool Fail()
    {
        _count = 0;
        if (_skipOverlong)
        {
            SkippedLines++;
            _skipping = true;
            return true;
        }
        _tooLong = true;
        return false;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        int needed = _count + bytes.Length;
        if (needed > _buffer.Length)
        {
            // Callers checked needed <= maxLineBytes + 1.
            int size = Math.Max(needed, (int)Math.Min(_buffer.Length * 2L, _maxLineBytes + 1L));
            Array.Resize(ref _buffer, size);
        }
        bytes.CopyTo(_buffer.AsSpan(_count));
        _count = needed;
    }
}
