using System.Text;

namespace Supervisor.Protocol.Static;

/// <summary>
/// A request path for the static file server, decoded into plain segments that are safe to
/// join under the root, or null (the server answers 404). Splitting happens on the raw
/// '/' before any decoding, so an encoded slash (%2F) can never make a separator; each
/// segment is then percent-decoded strictly (RFC 3986 §2.1) and must be valid UTF-8.
/// Refused: "." and ".." (encoded or not, RFC 3986 §5.2.4 would climb out of the root),
/// dot-files (.htaccess, .git: never meant for the web), empty segments ("//" — and so a
/// Location like "//host/" can never be built from one), NUL, backslash and control
/// characters. Symlinks are the resolver's job (realpath), not this one's.
/// </summary>
public static class StaticPath
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="rawPath">The path part of the request target, still percent-encoded.</param>
    /// <param name="trailingSlash">True when the path ends in '/' ("/" itself included):
    /// a folder asked for as a folder.</param>
    public static IReadOnlyList<string>? Decode(string rawPath, out bool trailingSlash)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        trailingSlash = false;
        if (rawPath.Length == 0 || rawPath[0] != '/')
            return null;

        string[] raw = rawPath[1..].Split('/');
        trailingSlash = raw[^1].Length == 0;
        int count = trailingSlash ? raw.Length - 1 : raw.Length;
        var segments = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            if (DecodeSegment(raw[i]) is not { } segment || !IsAllowed(segment))
                return null;
            segments.Add(segment);
        }
        return segments;
    }

    private static bool IsAllowed(string segment)
    {
        if (segment.Length == 0 || segment[0] == '.')
            return false;   // "//", ".", "..", and dot-files
        foreach (char c in segment)
        {
            if (c < 0x20 || c == 0x7F || c == '/' || c == '\\')
                return false;
        }
        return true;
    }

    private static string? DecodeSegment(string segment)
    {
        if (!segment.Contains('%'))
            return segment;
        var bytes = new byte[segment.Length];
        int n = 0;
        for (int i = 0; i < segment.Length; i++)
        {
            char c = segment[i];
            if (c != '%')
            {
                bytes[n++] = (byte)c;   // the parser let only visible ASCII through
                continue;
            }
            if (i + 2 >= segment.Length || !IsHex(segment[i + 1]) || !IsHex(segment[i + 2]))
                return null;
            bytes[n++] = (byte)((HexValue(segment[i + 1]) << 4) | HexValue(segment[i + 2]));
            i += 2;
        }
        try
        {
            return StrictUtf8.GetString(bytes, 0, n);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
