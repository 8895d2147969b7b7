using System.Globalization;

namespace Supervisor.Protocol.Messages;

/// <summary>The two WebSocket data message types, as the exact framing spells them.</summary>
public enum MessageKind : byte
{
    Text = (byte)'T',
    Binary = (byte)'B',
}

/// <summary>
/// Message-exact framing (<c>--mode=exact</c>), the same both ways on an app's stdin and
/// stdout: a header line <c>T LEN\n</c> or <c>B LEN\n</c> (LEN in decimal ASCII, no sign,
/// no leading zeros), then exactly LEN bytes of payload, then one <c>\n</c>. The header
/// gives a reader the length before the payload, so payloads may hold any byte; the
/// trailing newline keeps the stream readable by eye and lets a reader notice at once
/// that it has lost its place. Chosen so bash can speak it:
/// <c>read -r type len; head -c "$len"; read -r</c>.
/// </summary>
public static class ExactFraming
{
    /// <summary>"T " + ten digits (int.MaxValue) + "\n".</summary>
    public const int MaxHeaderBytes = 13;

    /// <summary>Writes the header for a message; returns the bytes written.</summary>
    public static int WriteHeader(Span<byte> destination, MessageKind kind, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        destination[0] = (byte)kind;
        destination[1] = (byte)' ';
        if (!length.TryFormat(destination[2..], out int digits, default, CultureInfo.InvariantCulture))
            throw new ArgumentException("destination too small for a header", nameof(destination));
        destination[2 + digits] = (byte)'\n';
        return 3 + digits;
    }

    /// <summary>The header as a new array, for callers that do not mind one allocation.</summary>
    public static byte[] Header(MessageKind kind, int length)
    {
        Span<byte> header = stackalloc byte[MaxHeaderBytes];
        return header[..WriteHeader(header, kind, length)].ToArray();
    }
}
