using System.Net.WebSockets;

namespace Supervisor.Conformance.Fuzzing;

/// <summary>
/// A permessage-deflate case (groups 12 and 13) after the handshake: the BCL client engine
/// over the same socket, configured from the server's answer, compresses and inflates the
/// messages; the case judges the echoes. What the server agreed to is checked against the
/// offer before this runs (<see cref="DeflateResponseCheck"/>).
/// </summary>
public sealed class EngineRun(WebSocket socket, double timeScale)
{
    public WebSocket Socket { get; } = socket;

    public Outcome Behavior { get; set; } = Outcome.Failed;

    public string Result { get; set; } = "";

    public TimeSpan Scaled(double seconds) => TimeSpan.FromSeconds(seconds * timeScale);

    /// <summary>The next whole message, or null if the server closed instead.</summary>
    public async Task<(WebSocketMessageType Type, byte[] Payload)?> ReceiveAsync(CancellationToken cancellation)
    {
        var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer, cancellation);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
                return (result.MessageType, message.ToArray());
        }
    }

    /// <summary>Sends a message in pieces of <paramref name="fragmentSize"/> input bytes (0: whole),
    /// each piece one compressed frame, as Autobahn's autoFragmentSize does on its side.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> payload, WebSocketMessageType type, int fragmentSize, CancellationToken cancellation)
    {
        if (fragmentSize <= 0 || payload.Length <= fragmentSize)
        {
            await Socket.SendAsync(payload, type, endOfMessage: true, cancellation);
            return;
        }
        for (int offset = 0; offset < payload.Length; offset += fragmentSize)
        {
            int length = Math.Min(fragmentSize, payload.Length - offset);
            await Socket.SendAsync(payload.Slice(offset, length), type, offset + length == payload.Length, cancellation);
        }
    }
}
