using System.Text;

namespace Supervisor.Protocol.Handshake;

/// <summary>
/// Parses an HTTP/1.1 request head from the bytes received so far. It never consumes:
/// it reports NeedMore until the empty line that ends the head is present, then Complete
/// with Consumed = the head's length including that line and any empty lines before the
/// request line (bytes after it belong to the WebSocket and are not looked at), or
/// Rejected with a reason as soon as the bytes already in hand cannot become a valid head
/// (e.g. a request line with a control character, an invalid Host or Content-Length, or
/// more than <paramref name="maxHeadBytes"/> bytes without a terminator).
/// </summary>
/// <remarks>
/// Each call re-reads the complete lines in hand without allocating; strings are made
/// only once the head is complete. With the head capped at <c>maxHeadBytes</c> the
/// re-reading is bounded. Line endings are CRLF only: RFC 9112 §2.2 lets a recipient
/// accept a bare LF, and we decline, so no two parsers on the path disagree on where a
/// line ends.
/// </remarks>
public static class HandshakeParser
{
    public const int DefaultMaxHeadBytes = 8 * 1024;

    private static ReadOnlySpan<byte> Terminator => "\r\n\r\n"u8;

    public static ParseResult TryParse(ReadOnlySpan<byte> received, int maxHeadBytes = DefaultMaxHeadBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxHeadBytes);

        // A head longer than the limit is rejected whatever it holds, so nothing past the
        // limit is ever looked at; a head of exactly maxHeadBytes is still accepted.
        var window = received.Length > maxHeadBytes ? received[..maxHeadBytes] : received;

        // RFC 9112 §2.2: a server "SHOULD ignore at least one empty line (CRLF) received
        // prior to the request-line" (what a client that ended a body with an extra CRLF
        // sends next). Any number is skipped; they count toward maxHeadBytes like the rest.
        int requestLineStart = 0;
        while (window[requestLineStart..].StartsWith("\r\n"u8)) requestLineStart += 2;

        int lineStart = requestLineStart;
        int contentLengths = 0;
        while (true)
        {
            int lf = window[lineStart..].IndexOf((byte)'\n');
            if (lf < 0) break;
            lf += lineStart;

            bool isRequestLine = lineStart == requestLineStart;
            if (lf == lineStart || window[lf - 1] != (byte)'\r')
            {
                return ParseResult.Reject(isRequestLine
                    ? RejectionReason.MalformedRequestLine
                    : RejectionReason.MalformedHeaderLine);
            }

            var line = window[lineStart..(lf - 1)];
            lineStart = lf + 1;

            RejectionReason reason;
            if (isRequestLine)
            {
                reason = RequestLine.Split(line, out _, out _);
            }
            else if (line.IsEmpty)
            {
                var head = Build(window[requestLineStart..lineStart]);
                return new ParseResult(ParseStatus.Complete, head, lineStart, RejectionReason.None);
            }
            else
            {
                reason = HeaderLine.Split(line, out var name, out var value);
                if (reason == RejectionReason.None) reason = FieldGrammar.Check(name, value, ref contentLengths);
            }

            if (reason != RejectionReason.None) return ParseResult.Reject(reason);
        }

        // The line in progress: reject now what no later byte can make valid, so a
        // hostile client cannot hold the connection open with it until the timeout.
        var partial = window[lineStart..];
        var early = lineStart == requestLineStart ? RequestLine.CheckPartial(partial) : HeaderLine.CheckPartial(partial);
        if (early != RejectionReason.None) return ParseResult.Reject(early);

        // No terminator within the limit: once the limit is reached, any terminator still
        // to come would make the head longer than maxHeadBytes.
        return received.Length >= maxHeadBytes
            ? ParseResult.Reject(RejectionReason.HeadTooLarge)
            : ParseResult.NeedMore;
    }

    /// <summary>The length of the head in <paramref name="received"/> including its
    /// "\r\n\r\n", or -1 when the terminator is not there yet.</summary>
    public static int FindHeadEnd(ReadOnlySpan<byte> received)
    {
        int i = received.IndexOf(Terminator);
        return i < 0 ? -1 : i + Terminator.Length;
    }

    /// <summary>Second pass over a head already validated line by line.</summary>
    private static RequestHead Build(ReadOnlySpan<byte> head)
    {
        int lf = head.IndexOf((byte)'\n');
        RequestLine.Split(head[..(lf - 1)], out var method, out var target);
        ReadOnlySpan<byte> authority = default, pathAndQuery = target; // "*": OPTIONS' asterisk-form stays as it is
        if (!target.SequenceEqual("*"u8))
            RequestTarget.TrySplit(target, out authority, out pathAndQuery);

        var headers = new List<KeyValuePair<string, string>>();
        var rest = head[(lf + 1)..];
        while (true)
        {
            lf = rest.IndexOf((byte)'\n');
            var line = rest[..(lf - 1)];
            if (line.IsEmpty) break;
            HeaderLine.Split(line, out var name, out var value);
            // Names are tokens (ASCII); values may carry obs-text, which RFC 9110 §5.5
            // leaves opaque: Latin-1 maps each byte to one char and back losslessly.
            headers.Add(new(Encoding.ASCII.GetString(name), Encoding.Latin1.GetString(value)));
            rest = rest[(lf + 1)..];
        }

        return new RequestHead(Encoding.ASCII.GetString(method), RequestTarget.OriginForm(pathAndQuery), "HTTP/1.1", headers,
            authority.IsEmpty ? null : Encoding.ASCII.GetString(authority));
    }
}
