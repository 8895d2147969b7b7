using System.Net;

namespace Supervisor.Protocol.Proxy;

/// <summary>
/// Strict textual IP addresses, for values a client may have written. IPv4 is exactly
/// four decimal parts of 0–255 without leading zeros: <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
/// also takes inet_aton's forms ("127.1", "0x7f.0.0.1", "017.0.0.1"), which no proxy
/// writes and which let one address hide behind many spellings. IPv6 is hex digits,
/// colons and an optional embedded IPv4, with no zone ("%eth0").
/// </summary>
public static class IpText
{
    public static bool TryParse(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains(':'))
            return TryParseV6(text, out address);
        return TryParseV4(text, out address);
    }

    /// <summary>IPv4-mapped IPv6 (::ffff:a.b.c.d, what a dual-stack socket reports for an
    /// IPv4 peer) as plain IPv4, so one address has one form for matching and logging.</summary>
    public static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static bool TryParseV4(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        Span<byte> bytes = stackalloc byte[4];
        int part = 0;
        foreach (var range in text.Split('.'))
        {
            var digits = text[range];
            if (part == 4 || digits.Length is 0 or > 3 || (digits.Length > 1 && digits[0] == '0'))
                return false;
            int value = 0;
            foreach (char c in digits)
            {
                if (!char.IsAsciiDigit(c))
                    return false;
                value = value * 10 + (c - '0');
            }
            if (value > 255)
                return false;
            bytes[part++] = (byte)value;
        }
        if (part != 4)
            return false;
        address = new IPAddress(bytes);
        return true;
    }

    private static bool TryParseV6(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Length > 45) // the longest IPv6 text: 8 groups, or 6 groups and an IPv4 tail
            return false;
        foreach (char c in text)
        {
            if (!(char.IsAsciiHexDigit(c) || c is ':' or '.'))
                return false;
        }
        int lastColon = text.LastIndexOf(':');
        if (text[(lastColon + 1)..].Contains('.') && !TryParseV4(text[(lastColon + 1)..], out _))
            return false;
        if (!IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            return false;
        address = parsed;
        return true;
    }
}
