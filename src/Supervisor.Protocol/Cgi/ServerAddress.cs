using System.Globalization;

namespace Supervisor.Protocol.Cgi;

/// <summary>
/// SERVER_NAME and SERVER_PORT from the host the request is for (RFC 3875 §4.1.14–15: the
/// name and port "to which the request was directed", which behind a proxy is the Host the
/// browser sent, not the port we listen on). websocketd 0.4's rule, measured with
/// <c>Host: example.org:1234</c> → 1234 and <c>Host: example.org</c> → 80 (443 under its
/// --ssl): the Host's port, else the scheme's default, here 443 when HTTPS is on (directly
/// or as a trusted proxy says). Brackets stay on an IPv6 name, so name ":" port parses back.
/// </summary>
public static class ServerAddress
{
    /// <param name="host">A Host value the parser accepted (host[:port], [v6][:port]).</param>
    public static (string Name, int Port) FromHost(string host, bool https)
    {
        ArgumentNullException.ThrowIfNull(host);
        string name = host;
        string portText = "";
        if (host.StartsWith('['))
        {
            int close = host.IndexOf(']');
            if (close > 0)
            {
                name = host[..(close + 1)];
                portText = host[(close + 1)..].TrimStart(':');
            }
        }
        else if (host.LastIndexOf(':') is var colon and >= 0)
        {
            name = host[..colon];
            portText = host[(colon + 1)..];
        }
        // "host:" is grammatical (RFC 3986 §3.2.3 says to omit an empty port); a port past
        // 65535 names nothing. Either way the scheme's default is the only honest answer.
        int port = portText.Length is > 0 and <= 5
                   && int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int number)
                   && number is > 0 and <= 65535
            ? number
            : https ? 443 : 80;
        return (name, port);
    }
}
