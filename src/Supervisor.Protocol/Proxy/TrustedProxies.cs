using System.Net;
using Supervisor.Protocol.Handshake;

namespace Supervisor.Protocol.Proxy;

/// <summary>
/// --trusted-proxy: the peers whose X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host
/// headers are believed. Everyone else's are ignored: any client can send them, so honouring them
/// from anyone would let a client choose its own REMOTE_ADDR (and so its per-IP limits
/// and its line in the log).
/// </summary>
/// <remarks>
/// X-Forwarded-For is a list each proxy appends its own peer to, so only its right-hand
/// end was written by proxies we trust. The walk goes from the right, as nginx's
/// real_ip_recursive and Apache's mod_remoteip do: a hop inside the trusted set is one
/// of our proxies, and the one before it was written by that proxy; the first hop
/// outside the set is the client. If every hop is trusted, the left-most is the client.
/// A hop that is not a plain address ("unknown", "_hidden", garbage) ends the walk: no
/// trusted proxy vouches for anything to its left, so the client is the last address
/// that was vouched for — the hop to its right, or the peer itself.
/// </remarks>
public sealed class TrustedProxies
{
    public static readonly TrustedProxies None = new([]);

    private readonly IpNetwork[] _networks;

    private TrustedProxies(IpNetwork[] networks) => _networks = networks;

    public IReadOnlyList<IpNetwork> Networks => _networks;

    public bool IsEmpty => _networks.Length == 0;

    /// <summary>Comma-separated blocks, from any number of flags. Throws
    /// <see cref="FormatException"/> naming the first bad entry.</summary>
    public static TrustedProxies Parse(IEnumerable<string> lists)
    {
        var networks = new List<IpNetwork>();
        foreach (string list in lists)
        {
            foreach (string entry in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!IpNetwork.TryParse(entry, out var network, out string error))
                    throw new FormatException(error);
                networks.Add(network);
            }
        }
        return new TrustedProxies([.. networks]);
    }

    public bool Contains(IPAddress address)
    {
        foreach (var network in _networks)
        {
            if (network.Contains(address))
                return true;
        }
        return false;
    }

    /// <param name="forwardedFor">Every X-Forwarded-For field, joined with ", " (RFC 9110 §5.3).</param>
    /// <param name="forwardedProto">Every X-Forwarded-Proto field, joined likewise.</param>
    /// <param name="forwardedHost">Every X-Forwarded-Host field, joined likewise.</param>
    public ForwardedClient Resolve(IPAddress peer, int peerPort, string? forwardedFor, string? forwardedProto,
        string? forwardedHost = null)
    {
        peer = IpText.Normalize(peer);
        if (!Contains(peer))
            return new ForwardedClient(peer, peerPort, Https: false, Proxy: null);

        var address = peer;
        int port = peerPort;
        ReadOnlySpan<char> rest = forwardedFor;
        while (!rest.IsEmpty)
        {
            int comma = rest.LastIndexOf(',');
            var element = rest[(comma + 1)..];
            rest = comma < 0 ? ReadOnlySpan<char>.Empty : rest[..comma];
            if (element.Trim(" \t").IsEmpty)
                continue; // RFC 9110 §5.6.1: empty list elements are ignored
            if (!ForwardedHop.TryParse(element, out var hop))
                break;
            address = hop.Address;
            // Without a port in the hop, the proxy's connection port stays (mod_remoteip's
            // choice too): no port is knowable, and 0 breaks apps that parse it.
            port = hop.Port ?? peerPort;
            if (!Contains(hop.Address))
                break;
        }
        return new ForwardedClient(address, port, IsSecureScheme(RightMost(forwardedProto)), Proxy: peer,
            ValidHost(RightMost(forwardedHost)));
    }

    /// <summary>X-Forwarded-Host is what Apache's mod_proxy writes (and appends to) with the
    /// browser's Host when it cannot keep that Host itself: ProxyPreserveHost is not allowed
    /// in .htaccess. Believed only if it is a Host value (<see cref="HostSyntax"/>), as the
    /// Host field itself must be; anything else leaves the request's own Host in force.</summary>
    private static string? ValidHost(ReadOnlySpan<char> host)
    {
        if (host.IsEmpty || host.Length > 255 + 6 || host.ContainsAnyExceptInRange((char)0x21, (char)0x7E))
            return null; // longer than a DNS name and ":port"; or not visible ASCII
        Span<byte> bytes = stackalloc byte[host.Length];
        for (int i = 0; i < host.Length; i++)
            bytes[i] = (byte)host[i];
        return HostSyntax.IsHostAndPort(bytes) ? host.ToString() : null;
    }

    /// <summary>The nearest proxy's word: the last element. A proxy should set the header
    /// (nginx's proxy_set_header, Apache's RequestHeader set), not append to it, so there
    /// is usually one; if there are several, those to the left came from further away.</summary>
    private static ReadOnlySpan<char> RightMost(string? list)
    {
        ReadOnlySpan<char> rest = list;
        while (!rest.IsEmpty)
        {
            int comma = rest.LastIndexOf(',');
            var element = rest[(comma + 1)..].Trim(" \t");
            if (!element.IsEmpty)
                return element;
            rest = comma < 0 ? ReadOnlySpan<char>.Empty : rest[..comma];
        }
        return ReadOnlySpan<char>.Empty;
    }

    private static bool IsSecureScheme(ReadOnlySpan<char> scheme) =>
        scheme.Equals("https", StringComparison.OrdinalIgnoreCase) || scheme.Equals("wss", StringComparison.OrdinalIgnoreCase);
}
