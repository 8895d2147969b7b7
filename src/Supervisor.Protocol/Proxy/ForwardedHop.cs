using System.Net;

namespace Supervisor.Protocol.Proxy;

/// <summary>
/// One element of an X-Forwarded-For list as proxies write it: "203.0.113.7",
/// "203.0.113.7:51234", "2001:db8::7", "[2001:db8::7]" or "[2001:db8::7]:51234". Anything
/// else — "unknown", RFC 7239's obfuscated "_hidden", a quoted string, a host name, an
/// inet_aton spelling such as "0x7f.1" — is not an address we can vouch for.
/// </summary>
public readonly record struct ForwardedHop(IPAddress Address, int? Port)
{
    public static bool TryParse(ReadOnlySpan<char> text, out ForwardedHop hop)
    {
        hop = default;
        text = text.Trim(" \t");
        ReadOnlySpan<char> host = text;
        ReadOnlySpan<char> port = default;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            if (close < 0)
                return false;
            host = text[1..close];
            var after = text[(close + 1)..];
            if (!after.IsEmpty)
            {
                if (after[0] != ':')
                    return false;
                port = after[1..];
                if (port.IsEmpty)
                    return false;
            }
            if (!host.Contains(':'))
                return false; // brackets hold IPv6 only
        }
        else if (text.Count(':') == 1)
        {
            int colon = text.IndexOf(':');
            host = text[..colon];
            port = text[(colon + 1)..];
            if (port.IsEmpty)
                return false;
        }

        if (!IpText.TryParse(host, out var address))
            return false;
        int? portNumber = null;
        if (!port.IsEmpty)
        {
            if (!TryParsePort(port, out int value))
                return false;
            portNumber = value;
        }
        hop = new ForwardedHop(IpText.Normalize(address), portNumber);
        return true;
    }

    private static bool TryParsePort(ReadOnlySpan<char> text, out int port)
    {
        port = 0;
        if (text.Length is 0 or > 5)
            return false;
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
                return false;
            port = port * 10 + (c - '0');
        }
        return port is > 0 and <= 65535;
    }
}
