using System.Net.WebSockets;
using System.Text;

namespace Supervisor.SocketApp;

/// <summary>One whole WebSocket data message.</summary>
public sealed record SocketAppMessage(WebSocketMessageType Type, ReadOnlyMemory<byte> Payload)
{
    public bool IsText => Type == WebSocketMessageType.Text;

    /// <summary>The payload decoded as UTF-8 (the engine has already checked it is valid for text).</summary>
    public string Text => Encoding.UTF8.GetString(Payload.Span);

    public static SocketAppMessage FromText(string text) => new(WebSocketMessageType.Text, Encoding.UTF8.GetBytes(text));
}
