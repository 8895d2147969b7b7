using System.Net;

namespace Supervisor.Protocol.Proxy;

/// <summary>Who the client is, as far as we can vouch: the TCP peer, or, when the peer is a
/// trusted proxy, what its X-Forwarded-* headers say. <see cref="Proxy"/> is the peer when
/// its headers were honoured, null when the peer is the client itself.</summary>
public readonly record struct ForwardedClient(IPAddress Address, int Port, bool Https, IPAddress? Proxy)
{
    public bool ViaProxy => Proxy is not null;
}
