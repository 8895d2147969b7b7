using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>Upgrades written by hand (any header, any bytes), then read with the BCL's
/// client engine: for the tests that need both a hostile head and the app's answer.</summary>
public static class Upgrades
{
    /// <summary>Sends the head, asserts 101, and reads text messages until the server's close.</summary>
    public static async Task<(List<string> Messages, WebSocketCloseStatus? Status, string? Reason)> ReadAllAsync(
        int port, byte[] head, CancellationToken cancellation)
    {
        var socket = await RawHttp.ConnectAsync(port, cancellation);
        await socket.SendAsync(head, SocketFlags.None, cancellation);
        var response = await RawHttp.ReadHeadAsync(socket, cancellation);
        Assert.Equal("HTTP/1.1 101 Switching Protocols", response.StatusLine);
        using var client = WebSocket.CreateFromStream(new NetworkStream(socket, ownsSocket: true), new WebSocketCreationOptions());
        var (messages, status) = await client.ReceiveUntilCloseAsync(cancellation);
        return (messages, status, client.CloseStatusDescription);
    }

    public static Task<(List<string> Messages, WebSocketCloseStatus? Status, string? Reason)> ReadAllAsync(
        int port, string target, string[] extraHeaders, CancellationToken cancellation) =>
        ReadAllAsync(port, Encoding.Latin1.GetBytes(RawHttp.UpgradeHead(target, extraHeaders)), cancellation);

    /// <summary>Sends the head, asserts 101, and returns the open WebSocket (the target is
    /// sent exactly as given: ClientWebSocket would normalise it through Uri first).</summary>
    public static async Task<WebSocket> ConnectAsync(int port, string target, string[] extraHeaders, CancellationToken cancellation)
    {
        var socket = await RawHttp.ConnectAsync(port, cancellation);
        try
        {
            await socket.SendAsync(Encoding.Latin1.GetBytes(RawHttp.UpgradeHead(target, extraHeaders)), SocketFlags.None, cancellation);
            var response = await RawHttp.ReadHeadAsync(socket, cancellation);
            Assert.Equal("HTTP/1.1 101 Switching Protocols", response.StatusLine);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return WebSocket.CreateFromStream(new NetworkStream(socket, ownsSocket: true), new WebSocketCreationOptions());
    }

    /// <summary>env.sh's VAR=value messages as a dictionary.</summary>
    public static Dictionary<string, string> ParseEnv(IEnumerable<string> messages)
    {
        var env = new Dictionary<string, string>();
        foreach (string message in messages)
        {
            int equals = message.IndexOf('=');
            Assert.True(equals > 0, $"not VAR=value: \"{message}\"");
            env[message[..equals]] = message[(equals + 1)..];
        }
        return env;
    }

    /// <summary>Sends one command and waits for the close that should follow it.</summary>
    public static async Task<(WebSocketCloseStatus? Status, string? Reason)> SendAndAwaitCloseAsync(
        WebSocket socket, string command, CancellationToken cancellation)
    {
        await socket.SendTextAsync(command, cancellation);
        var (_, status) = await socket.ReceiveUntilCloseAsync(cancellation);
        return (status, socket.CloseStatusDescription);
    }
}
