using System.Net.WebSockets;
using System.Text;
using System.Text.Unicode;

namespace Supervisor.Worker;

/// <summary>
/// The one way out to the client. The engine allows a single send at a time, and both
/// the app's stdout and the acceptor's broadcasts send, so sends queue on a lock here.
/// A failed send means the client is gone; the receive side reports why.
/// </summary>
public sealed class ClientSender(WebSocket socket, IdleClock? idle = null)
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private long _bytesSent;

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Sends one text message; false if the connection can no longer send.</summary>
    public async ValueTask<bool> SendTextAsync(ReadOnlyMemory<byte> utf8)
    {
        // A text frame must be valid UTF-8 (RFC 6455 §5.6) or the client fails the
        // connection with 1007; an app printing Latin-1 gets U+FFFD instead.
        if (!Utf8.IsValid(utf8.Span))
            utf8 = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(utf8.Span));

        return await SendAsync(utf8, WebSocketMessageType.Text);
    }

    /// <summary>Sends one binary message; false if the connection can no longer send.</summary>
    public ValueTask<bool> SendBinaryAsync(ReadOnlyMemory<byte> bytes) => SendAsync(bytes, WebSocketMessageType.Binary);

    private async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> payload, WebSocketMessageType type)
    {
        await _lock.WaitAsync();
        try
        {
            if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
                return false;
            await socket.SendAsync(payload, type, endOfMessage: true, CancellationToken.None);
            idle?.Touch();
            Interlocked.Add(ref _bytesSent, payload.Length);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Sends the close frame unless one has been sent already.</summary>
    public async ValueTask CloseAsync(int code, string reason)
    {
        await _lock.WaitAsync();
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client is already gone; there is nobody left to tell.
        }
        finally
        {
            _lock.Release();
        }
    }
}
