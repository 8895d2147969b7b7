using System.Net.WebSockets;
using Supervisor.Handoff;
using Supervisor.Protocol.Engine;
using Supervisor.Protocol.Extensions;

namespace Supervisor.Worker;

/// <summary>
/// Which RFC 6455 engine runs a connection: ours (<see cref="PlainWebSocket"/>) when no
/// extension was agreed, the BCL's when the acceptor's 101 agreed permessage-deflate,
/// which only the BCL's implements (RFC 7692: its inflater, deflater and window settings).
/// </summary>
public static class ClientEngine
{
    public static WebSocket Create(Stream stream, SessionSettings settings)
    {
        // Unsolicited pongs (RFC 6455 §5.5.3) every interval keep proxies that cut idle
        // tunnels (Apache's and nginx's 60 s defaults) from cutting this one.
        TimeSpan keepAlive = settings.PingSeconds > 0 ? TimeSpan.FromSeconds(settings.PingSeconds) : TimeSpan.Zero;
        // What the acceptor's 101 promised, read back from the same text.
        if (DeflateAgreement.Parse(settings.Extensions) is not { } deflate)
            return new PlainWebSocket(stream, keepAlive);
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            KeepAliveInterval = keepAlive,
            DangerousDeflateOptions = deflate.ToEngineOptions(),
        });
    }
}
