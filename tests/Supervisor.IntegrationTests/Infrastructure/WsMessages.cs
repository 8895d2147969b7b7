using System.Net.WebSockets;
using System.Text;

namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>Whole messages of either type, for the modes that carry binary too.</summary>
public static class WsMessages
{
    public sealed record Message(WebSocketMessageType Type, byte[] Payload)
    {
        public static Message Text(string text) => new(WebSocketMessageType.Text, Encoding.UTF8.GetBytes(text));

        public static Message Binary(params byte[] bytes) => new(WebSocketMessageType.Binary, bytes);

        public override string ToString() =>
            $"{Type} {Payload.Length} bytes {Convert.ToHexString(Payload.AsSpan(0, Math.Min(Payload.Length, 16)))}";
    }

    /// <summary>The payloads no line-based relay can carry: empty, a lone newline, NUL bytes,
    /// invalid UTF-8 (binary), CR LF, and 1 MiB of both types.</summary>
    public static IReadOnlyList<Message> Awkward()
    {
        var random = new Random(7692);
        var mebibyte = new byte[1024 * 1024];
        random.NextBytes(mebibyte);
        return
        [
            Message.Text(""),
            Message.Text("\n"),
            Message.Text("a\0b\0"),
            Message.Text("line one\nline two\r\n"),
            Message.Binary(0xFF, 0xFE, 0x00, 0x80, 0xC0, 0x0A),
            Message.Binary(),
            Message.Binary(0x0A),
            new(WebSocketMessageType.Binary, mebibyte),
            Message.Text(new string('ü', 512 * 1024)), // 1 MiB of two-byte characters
        ];
    }

    public static Task SendAsync(this WebSocket socket, Message message, CancellationToken cancellation) =>
        socket.SendAsync(message.Payload, message.Type, endOfMessage: true, cancellation);

    /// <summary>The next whole message, or null when a close frame arrives instead.</summary>
    public static async Task<Message?> ReceiveMessageAsync(this WebSocket socket, CancellationToken cancellation)
    {
        var payload = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellation);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            payload.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
                return new Message(result.MessageType, payload.ToArray());
        }
    }

    public static void AssertSame(Message expected, Message? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.Payload.Length, actual.Payload.Length);
        Assert.True(expected.Payload.AsSpan().SequenceEqual(actual.Payload), $"payload differs: sent {expected}, got {actual}");
    }
}
