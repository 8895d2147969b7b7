namespace Supervisor.Protocol.Handshake;

/// <summary>
/// Guards for text that goes into a response head. A CR or LF there would let whoever
/// chose the text add headers or a whole second response (response splitting), so
/// anything but visible ASCII, SP and HTAB is a programming error and throws.
/// </summary>
internal static class ResponseText
{
    /// <summary>RFC 9110 §15: the reason phrases we send with the statuses in <see cref="Rejections"/>.</summary>
    public static string ReasonPhrase(int status) => status switch
    {
        101 => "Switching Protocols",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        417 => "Expectation Failed",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "No reason phrase on file."),
    };

    public static string FieldValue(string value, string paramName)
    {
        foreach (char c in value)
        {
            if (!(c == '\t' || (c >= ' ' && c <= '~')))
                throw new ArgumentException("Header text must be visible ASCII, SP or HTAB.", paramName);
        }
        return value;
    }

    /// <summary>"Name: value" with a token name (RFC 9110 §5.1).</summary>
    public static string HeaderLine(string line, string paramName)
    {
        int colon = line.IndexOf(':');
        if (colon <= 0)
            throw new ArgumentException("An extra header must be \"Name: value\".", paramName);
        foreach (char c in line.AsSpan(0, colon))
        {
            if (!HttpChars.IsTokenChar(c))
                throw new ArgumentException("An extra header's name must be a token.", paramName);
        }
        return FieldValue(line, paramName);
    }

    /// <summary>
    /// Makes a caller's detail (which may echo client bytes) safe for a one-line body:
    /// control characters (C0, DEL, C1) and Unicode line separators become spaces, and
    /// the text is cut to <paramref name="max"/> chars so a hostile head is not mirrored
    /// back in full.
    /// </summary>
    public static string OneLine(string text, int max = 200)
    {
        var chars = text.Length <= max ? text.ToCharArray() : text.AsSpan(0, max).ToArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]) || chars[i] is '\u2028' or '\u2029') chars[i] = ' ';
        }
        return new string(chars).Trim();
    }
}
