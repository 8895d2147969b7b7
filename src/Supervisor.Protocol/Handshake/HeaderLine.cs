namespace Supervisor.Protocol.Handshake;

/// <summary>RFC 9112 §5: field-line = field-name ":" OWS field-value OWS.</summary>
internal static class HeaderLine
{
    /// <param name="line">The line without its CRLF; never empty (that ends the head).</param>
    /// <param name="value">The value with OWS trimmed.</param>
    public static RejectionReason Split(ReadOnlySpan<byte> line,
        out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        name = default;
        value = default;

        // RFC 9112 §5.2: obs-fold (a line starting with SP/HTAB) is deprecated; a server
        // MUST reject it or unfold it. Unfolding hides smuggling tricks, so we reject.
        // The same line right after the request line is §2.2's "whitespace between the
        // start-line and the first header field", also rejected.
        if (HttpChars.IsOws(line[0])) return RejectionReason.MalformedHeaderLine;

        int colon = line.IndexOf((byte)':');
        if (colon < 0) return RejectionReason.MalformedHeaderLine;
        var n = line[..colon];
        if (n.IsEmpty) return RejectionReason.InvalidHeaderName;

        // RFC 9112 §5.1: "A server MUST reject, with a response status code of 400 (Bad
        // Request), any received request message that contains whitespace between a
        // header field name and colon."
        if (HttpChars.IsOws(n[^1])) return RejectionReason.MalformedHeaderLine;
        if (!HttpChars.IsToken(n)) return RejectionReason.InvalidHeaderName;

        var v = HttpChars.TrimOws(line[(colon + 1)..]);
        if (!HttpChars.IsFieldValue(v)) return RejectionReason.InvalidHeaderValue;

        name = n;
        value = v;
        return RejectionReason.None;
    }

    /// <summary>
    /// A header line still missing its CRLF: the defects that no later byte can cure —
    /// a fold, a bad name once the colon is in, a control character in the value so
    /// far — are reported now, with the reason <see cref="Split"/> would give.
    /// </summary>
    public static RejectionReason CheckPartial(ReadOnlySpan<byte> partial)
    {
        if (!partial.IsEmpty && partial[^1] == (byte)'\r') partial = partial[..^1];
        if (partial.IsEmpty) return RejectionReason.None;
        if (HttpChars.IsOws(partial[0])) return RejectionReason.MalformedHeaderLine;

        int colon = partial.IndexOf((byte)':');
        if (colon < 0) return RejectionReason.None;
        var n = partial[..colon];
        if (n.IsEmpty) return RejectionReason.InvalidHeaderName;
        if (HttpChars.IsOws(n[^1])) return RejectionReason.MalformedHeaderLine;
        if (!HttpChars.IsToken(n)) return RejectionReason.InvalidHeaderName;
        if (!HttpChars.IsFieldValue(partial[(colon + 1)..])) return RejectionReason.InvalidHeaderValue;
        return RejectionReason.None;
    }
}
