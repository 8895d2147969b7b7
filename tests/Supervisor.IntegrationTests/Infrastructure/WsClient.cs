using System.Net.WebSockets;
using System.Text;

namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>Thin helpers over <see cref="WebSocket"/> for text-line apps.</summary>
public static class WsClient
{
    public static async Task<ClientWebSocket> ConnectAsync(Uri url, CancellationToken cancellation)
    {
        var client = new ClientWebSocket();
        try
        {
            await client.ConnectAsync(url, cancellation);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public static Task SendTextAsync(this WebSocket socket, string text, CancellationToken cancellation) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellation);

    /// <summary>The next whole text message, or null when a close frame arrives instead.</summary>
    public static async Task<string?> ReceiveTextAsync(this WebSocket socket, CancellationToken cancellation)
    {
        var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellation);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            if (result.MessageType != WebSocketMessageType.Text)
                throw new InvalidDataException($"expected a text message, got {result.MessageType}");
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
                return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
        }
    }

    /// <summary>Every text message until the server's close frame, and that frame's code.
    /// Answers the close as a browser does, so the server's closing handshake completes.</summary>
    public static async Task<(List<string> Messages, WebSocketCloseStatus? Status)> ReceiveUntilCloseAsync(
        this WebSocket socket, CancellationToken cancellation)
    {
        var messages = new List<string>();
        while (await socket.ReceiveTextAsync(cancellation) is { } text)
            messages.Add(text);
        var status = socket.CloseStatus;
        if (socket.State == WebSocketState.CloseReceived)
        {
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cancellation);
            }
            catch (WebSocketException)
            {
                // The server closed the TCP connection right after its close frame: allowed.
            }
        }
        return (messages, status);
    }

    /// <summary>Sends one line and asserts it comes straight back.</summary>
    public static async Task AssertEchoesAsync(this WebSocket socket, string text, CancellationToken cancellation)
    {
        await socket.SendTextAsync(text, cancellation);
        Assert.Equal(text, await socket.ReceiveTextAsync(cancellation));
    }

    /// <summary>Connects, echoes one line, closes normally: the server is still serving.</summary>
    public static async Task AssertServerEchoesAsync(Uri url, CancellationToken cancellation)
    {
        using var client = await ConnectAsync(url, cancellation);
        await client.AssertEchoesAsync($"still serving {Guid.NewGuid():N}", cancellation);
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellation);
    }

    /// <summary><see cref="AssertServerEchoesAsync"/>, retried for up to <paramref name="within"/>
    /// while the server still refuses (a slot frees only once the old worker is reaped).</summary>
    public static async Task AssertServerEchoesSoonAsync(Uri url, TimeSpan within, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                await AssertServerEchoesAsync(url, cancellation);
                return;
            }
            catch (Exception e) when (e is WebSocketException or Xunit.Sdk.XunitException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellation); // still full: an HTTP refusal, or a 101 with close 1013
            }
        }
    }
}
