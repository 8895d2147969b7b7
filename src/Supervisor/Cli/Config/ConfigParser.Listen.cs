using System.Globalization;
using System.Net;
using Supervisor.Options;

namespace Supervisor.Cli.Config;

/// <summary>The proxy's listening sockets: --proxy-port and --tls-port, and the clashes
/// that would stop the proxy or ws-supervisor from starting.</summary>
public static partial class ConfigParser
{
    private static ListenSpec ParseListen(string flag, string text)
    {
        string? address = null;
        string port = text;
        int colon = text.LastIndexOf(':');
        if (colon >= 0)
        {
            address = text[..colon];
            port = text[(colon + 1)..];
            if (address.StartsWith('[') && address.EndsWith(']'))
                address = address[1..^1];
            if (!IPAddress.TryParse(address, out var ip))
                throw new UsageException($"--{flag}={text}: expected PORT or ADDRESS:PORT");
            address = ip.ToString();
        }
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number is < 1 or > 65535)
            throw new UsageException($"--{flag}={text}: expected PORT or ADDRESS:PORT with a port from 1 to 65535");
        return new ListenSpec(address, number);
    }

    /// <summary>One port is one socket: nginx refuses a second "listen" of the same address
    /// and port ("duplicate listen options"), Apache makes two identical virtual hosts of it,
    /// and a proxy on ws-supervisor's own port leaves one of the two unable to bind.</summary>
    /// <param name="http">The plain port, and how it was given (for the message).</param>
    /// <param name="tls">The TLS port, and how it was given, if any.</param>
    private static void CheckListensApart((ListenSpec Listen, string Given) http, (ListenSpec Listen, string Given)? tls, BackendSpec backend)
    {
        if (tls is { } t && Overlap(http.Listen.Address, http.Listen.Port, t.Listen.Address, t.Listen.Port))
            throw new UsageException($"{http.Given} and {t.Given} are the same socket: give the TLS port its own number");
        foreach (var (listen, flag) in tls is { } both ? new[] { http, both } : [http])
        {
            if (Overlap(listen.Address, listen.Port, backend.Address, backend.Port))
            {
                throw new UsageException(
                    $"{flag} is where ws-supervisor listens itself (--port={backend.Port}): the proxy and ws-supervisor cannot both bind it; give another port to one of them");
            }
        }
    }

    /// <summary>Same port, and the same address or a wildcard (no address, 0.0.0.0, ::) on either side.</summary>
    private static bool Overlap(string? address, int port, string? other, int otherPort) =>
        port == otherPort && (IsWildcard(address) || IsWildcard(other) || address == other);

    private static bool IsWildcard(string? address) => address is null or "0.0.0.0" or "::";
}
