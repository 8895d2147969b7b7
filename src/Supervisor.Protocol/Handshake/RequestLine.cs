namespace Supervisor.Protocol.Handshake;

/// <summary>
/// RFC 9112 §3: request-line = method SP request-target SP HTTP-version. Single spaces
/// only (the lenient "whitespace" parsing of §3 is a MAY we decline); the target in
/// origin- or absolute-form (<see cref="RequestTarget"/>).
/// </summary>
internal static class RequestLine
{
    private static ReadOnlySpan<byte> Http11 => "HTTP/1.1"u8;

    /// <param name="line">The line without its CRLF.</param>
    public static RejectionReason Split(ReadOnlySpan<byte> line,
        out ReadOnlySpan<byte> method, out ReadOnlySpan<byte> target)
    {
        method = default;
        target = default;

        int sp1 = line.IndexOf(HttpChars.SP);
        if (sp1 <= 0) return RejectionReason.MalformedRequestLine;
        var rest = line[(sp1 + 1)..];
        int sp2 = rest.IndexOf(HttpChars.SP);
        if (sp2 <= 0) return RejectionReason.MalformedRequestLine;

        var m = line[..sp1];
        var t = rest[..sp2];
        var version = rest[(sp2 + 1)..];

        // RFC 9110 §9.1: method = token (case-sensitive; "get" is a different method).
        if (!HttpChars.IsToken(m))
            return RejectionReason.MalformedRequestLine;
        // RFC 9112 §3.2.4: asterisk-form, OPTIONS only. Well-formed, so it is parsed, and
        // answered with a 405 that says which methods we serve rather than "malformed".
        bool asterisk = t.SequenceEqual("*"u8) && m.SequenceEqual("OPTIONS"u8);
        if (!asterisk && !RequestTarget.TrySplit(t, out _, out _))
            return RejectionReason.MalformedRequestLine;
        if (!asterisk && RequestTarget.Check(t) is var targetReason && targetReason != RejectionReason.None)
            return targetReason;

        if (!version.SequenceEqual(Http11))
        {
            // RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT. A well-formed other
            // version gets 505; RFC 6455 §4.1 needs 1.1 (1.0 has no Upgrade, §4.2.1 item 1).
            return IsHttpVersion(version)
                ? RejectionReason.UnsupportedHttpVersion
                : RejectionReason.MalformedRequestLine;
        }

        method = m;
        target = t;
        return RejectionReason.None;
    }

    /// <summary>
    /// A request line still missing its CRLF. Every byte of a valid request line is
    /// visible ASCII or SP, so anything else — a TLS ClientHello sent to a plain port
    /// starts with 0x16 — is rejected now instead of after the head timeout. A last
    /// '\r' may be the first half of the CRLF and is not judged yet.
    /// </summary>
    public static RejectionReason CheckPartial(ReadOnlySpan<byte> partial)
    {
        if (!partial.IsEmpty && partial[^1] == (byte)'\r') partial = partial[..^1];
        if (partial.IsEmpty) return RejectionReason.None;
        if (partial[0] == HttpChars.SP || partial.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0)
            return RejectionReason.MalformedRequestLine;
        return RejectionReason.None;
    }

    private static bool IsHttpVersion(ReadOnlySpan<byte> v)
        => v.Length == 8 && v.StartsWith("HTTP/"u8)
           && char.IsAsciiDigit((char)v[5]) && v[6] == (byte)'.' && char.IsAsciiDigit((char)v[7]);
}
