using System.Net.WebSockets;
using Supervisor.Handoff;
using Supervisor.Protocol.Engine;
using Supervisor.Protocol.Extensions;

namespace Supervisor.Worker;

/// <summary>
/// The RFC 6455 engine of every connection: ours (<see cref="ServerWebSocket"/>), with
/// permessage-deflate when the acceptor's 101 agreed it, so a compressed connection's
/// frames are judged by the same rules as any other's.
/// </summary>
public static class ClientEngine
{
    public static WebSocket Create(Stream stream, SessionSettings settings)
    {
        // Unsolicited pongs (RFC 6455 §5.5.3) every interval keep proxies that cut idle
        // tunnels (Apache's and nginx's 60 s defaults) from cutting this one.
        TimeSpan keepAlive = settings.PingSeconds > 0 ? TimeSpan.FromSeconds(settings.PingSeconds) : TimeSpan.Zero;
        // What the acceptor's 101 promised, read back from the same text.
        return new ServerWebSocket(stream, keepAlive, DeflateAgreement.Parse(settings.Extensions));
    }
}
