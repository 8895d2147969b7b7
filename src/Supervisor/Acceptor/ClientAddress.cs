using System.Net;
using Supervisor.Options;
using Supervisor.Protocol.Handshake;
using Supervisor.Protocol.Proxy;

namespace Supervisor.Acceptor;

/// <summary>Who the client is: the TCP peer, or, when the peer is a --trusted-proxy, the
/// address and scheme its X-Forwarded-For and X-Forwarded-Proto give (see
/// <see cref="TrustedProxies"/> for the walk). The answer is REMOTE_ADDR and HTTPS for the
/// app, the address in every log line, and the address per-address limits count.</summary>
public static class ClientAddress
{
    public const string ForwardedFor = "X-Forwarded-For";
    public const string ForwardedProto = "X-Forwarded-Proto";

    public static ForwardedClient Resolve(ProxyOptions proxies, IPEndPoint peer, RequestHead head) =>
        proxies.Trusted.IsEmpty
            ? new ForwardedClient(IpText.Normalize(peer.Address), peer.Port, Https: false, Proxy: null)
            : proxies.Trusted.Resolve(peer.Address, peer.Port, head.GetCombined(ForwardedFor), head.GetCombined(ForwardedProto));
}
