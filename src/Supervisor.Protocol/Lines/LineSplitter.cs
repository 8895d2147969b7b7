namespace Supervisor.Protocol.Lines;

/// <summary>
/// Cuts a byte stream (an app's stdout) into lines. A line ends at '\n'; one '\r'
/// before it is stripped too. Bytes after the last '\n' stay buffered until more
/// arrive or <see cref="Flush"/> is called at end of stream. A line longer than
/// <c>maxLineBytes</c> is reported through <see cref="LineTooLong"/> (the caller
/// decides what that means) instead of growing the buffer without bound.
/// </summary>
public sealed class LineSplitter
{
    public LineSplitter(int maxLineBytes) => throw new NotImplementedException();

    /// <summary>Feeds bytes; calls <paramref name="onLine"/> once per complete line, in order.
    /// Returns false (and stops) if a line exceeded the limit.</summary>
    public bool Feed(ReadOnlySpan<byte> data, Action<ReadOnlyMemory<byte>> onLine) => throw new NotImplementedException();

    /// <summary>End of stream: a last line without '\n' is still a line (if not empty).</summary>
    public void Flush(Action<ReadOnlyMemory<byte>> onLine) => throw new NotImplementedException();

    public bool LineTooLong => throw new NotImplementedException();
}
