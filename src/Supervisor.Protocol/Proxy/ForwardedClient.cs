using System.Net;

namespace Supervisor.Protocol.Proxy;

/// <summary>Who the client is, as far as we can vouch: the TCP peer, or, when the peer is a
/// trusted proxy, what its X-Forwarded-* headers say. <see cref="Proxy"/> is the peer when
/// its headers were honoured, null when the peer is the client itself. <see cref="Host"/> is
/// the trusted proxy's X-Forwarded-Host when it gave a valid one (the host the browser asked
/// for), else null: the request's own Host stands.</summary>
public readonly record struct ForwardedClient(IPAddress Address, int Port, bool Https, IPAddress? Proxy, string? Host = null)
{
    public bool ViaProxy => Proxy is not null;
}
