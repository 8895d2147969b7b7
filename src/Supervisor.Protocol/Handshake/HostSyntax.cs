using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace Supervisor.Protocol.Handshake;

/// <summary>
/// RFC 9110 §7.2: Host = uri-host [ ":" port ], in RFC 3986 §3.2.2–3.2.3's grammar:
/// uri-host = IP-literal / IPv4address / reg-name, port = *DIGIT. The same text is the
/// authority of an absolute-form target (RFC 9112 §3.2.2), where userinfo is refused
/// (RFC 9110 §4.2.4) simply because '@' is no host character.
/// </summary>
/// <remarks>
/// Only the grammar, as RFC 9112 §3.2 asks ("a Host header field with an invalid field
/// value" gets 400); no name is looked up or compared. What proxies forward passes:
/// nginx's <c>$host</c> (a name, no port) and <c>$http_host</c>, Apache's preserved or
/// rewritten Host, underscores in container names (<c>my_app:8080</c>, '_' is unreserved),
/// <c>[::1]:8080</c>. A space, '/', '@', a comma-separated list or obs-text does not.
/// </remarks>
internal static class HostSyntax
{
    // RFC 3986 §2.3 unreserved and §2.2 sub-delims; '%' starts a pct-encoded triplet. An
    // IPv4address is a reg-name as well, so it needs no rule of its own.
    private static readonly SearchValues<byte> RegNameChars = SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;="u8);

    // "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", the longest IPv6address.
    private const int MaxIpv6Chars = 45;

    /// <summary>"host", "host:port", "[v6]" or "[v6]:port", the host not empty.</summary>
    public static bool IsHostAndPort(ReadOnlySpan<byte> text)
    {
        ReadOnlySpan<byte> port;
        if (!text.IsEmpty && text[0] == (byte)'[')
        {
            int close = text.IndexOf((byte)']');
            if (close < 0 || !IsIpLiteral(text[1..close])) return false;
            port = text[(close + 1)..];
        }
        else
        {
            int colon = text.IndexOf((byte)':');
            var host = colon < 0 ? text : text[..colon];
            if (host.IsEmpty || !IsRegName(host)) return false;
            port = colon < 0 ? default : text[colon..];
        }
        // port = *DIGIT: "host:" is grammatical (RFC 3986 §3.2.3 only says to omit it).
        return port.IsEmpty || (port[0] == (byte)':' && port[1..].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0);
    }

    private static bool IsRegName(ReadOnlySpan<byte> s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == (byte)'%')
            {
                if (i + 2 >= s.Length || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) return false;
                i += 2;
            }
            else if (!RegNameChars.Contains(s[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>What is between the brackets: IPv6address, or IPvFuture =
    /// "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ).</summary>
    private static bool IsIpLiteral(ReadOnlySpan<byte> s)
    {
        if (!s.IsEmpty && (s[0] | 0x20) == (byte)'v')
        {
            int dot = s.IndexOf((byte)'.');
            if (dot < 2 || dot == s.Length - 1) return false;
            foreach (byte b in s[1..dot])
            {
                if (!IsHex(b)) return false;
            }
            foreach (byte b in s[(dot + 1)..])
            {
                if (b != (byte)':' && !RegNameChars.Contains(b)) return false;
            }
            return true;
        }

        // Hex digits, ':' and '.' only: IPAddress would also take a zone ("%eth0"), which
        // RFC 3986's IPv6address has no room for.
        if (s.Length is < 2 or > MaxIpv6Chars) return false;
        Span<char> chars = stackalloc char[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            byte b = s[i];
            if (!(IsHex(b) || b == (byte)':' || b == (byte)'.')) return false;
            chars[i] = (char)b;
        }
        return IPAddress.TryParse(chars, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);
}
