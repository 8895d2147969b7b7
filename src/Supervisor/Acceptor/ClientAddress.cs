using System.Net;
using Supervisor.Options;
using Supervisor.Protocol.Handshake;
using Supervisor.Protocol.Proxy;

namespace Supervisor.Acceptor;

/// <summary>Who the client is: the TCP peer, or, when the peer is a --trusted-proxy, the
/// address, scheme and host its X-Forwarded-For, -Proto and -Host give (see
/// <see cref="TrustedProxies"/> for the walk). The answer is REMOTE_ADDR, HTTPS and
/// HTTP_HOST/SERVER_NAME/SERVER_PORT for the app, the Host --sameorigin compares, the address
/// in every log line, and the address per-address limits count.</summary>
public static class ClientAddress
{
    public const string ForwardedFor = "X-Forwarded-For";
    public const string ForwardedProto = "X-Forwarded-Proto";
    public const string ForwardedHost = "X-Forwarded-Host";

    public static ForwardedClient Resolve(ProxyOptions proxies, IPEndPoint peer, RequestHead head) =>
        proxies.Trusted.IsEmpty
            ? new ForwardedClient(IpText.Normalize(peer.Address), peer.Port, Https: false, Proxy: null)
            : proxies.Trusted.Resolve(peer.Address, peer.Port, head.GetCombined(ForwardedFor), head.GetCombined(ForwardedProto),
                head.GetCombined(ForwardedHost));
}
