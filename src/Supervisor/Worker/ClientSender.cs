using System.Net.WebSockets;
using Supervisor.Protocol.Messages;

namespace Supervisor.Worker;

/// <summary>
/// The one way out to the client. The engine allows a single send at a time, and the
/// app's stdout, the acceptor's broadcasts and the session's close all send, so sends
/// queue on a lock here (the engine serializes its own pings and pongs with ours). A
/// failed send means the client is gone; the receive side reports why.
/// </summary>
/// <remarks>
/// The client stream blocks, so a send has finished, on the calling thread, when it
/// returns. The lock is therefore a monitor, not a SemaphoreSlim: uncontended it is one
/// interlocked operation, and a contended sender sleeps on its own thread instead of
/// being resumed on the thread pool. The Async forms are for async callers (the control
/// forwarder, cgi replies); they complete before they return, as every send does here.
/// </remarks>
public sealed class ClientSender(WebSocket socket, IdleClock? idle = null, Func<long>? pushedBytes = null)
{
    private readonly Lock _lock = new();
    private long _bytesSent;

    /// <summary>Payload bytes sent to the client: ours, and those the acceptor pushed to it
    /// directly (<paramref name="pushedBytes"/>).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent) + (pushedBytes?.Invoke() ?? 0);

    /// <summary>Sends one text message; false if the connection can no longer send.</summary>
    public bool SendText(ReadOnlyMemory<byte> utf8)
    {
        if (TextRepair.RepairedOrNull(utf8.Span) is { } repaired)
            utf8 = repaired;

        return Send(utf8, WebSocketMessageType.Text);
    }

    /// <summary>Sends one binary message; false if the connection can no longer send.</summary>
    public bool SendBinary(ReadOnlyMemory<byte> bytes) => Send(bytes, WebSocketMessageType.Binary);

    public ValueTask<bool> SendTextAsync(ReadOnlyMemory<byte> utf8) => ValueTask.FromResult(SendText(utf8));

    public ValueTask<bool> SendBinaryAsync(ReadOnlyMemory<byte> bytes) => ValueTask.FromResult(SendBinary(bytes));

    private bool Send(ReadOnlyMemory<byte> payload, WebSocketMessageType type)
    {
        lock (_lock)
        {
            try
            {
                if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
                    return false;
                Synchronously.Wait(socket.SendAsync(payload, type, endOfMessage: true, CancellationToken.None));
                idle?.Touch();
                Interlocked.Add(ref _bytesSent, payload.Length);
                return true;
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
            {
                return false;
            }
        }
    }

    /// <summary>How long the close waits for a send in progress. A send blocks for as long
    /// as the client does not read (its TCP window full), and holds the lock meanwhile.</summary>
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(2);

    /// <summary>Sends the close frame unless one has been sent already. A client that has
    /// stopped reading cannot take one: the connection is then aborted, which wakes the
    /// stuck send, rather than leaving the session (and its worker) waiting forever.</summary>
    public void Close(int code, string reason)
    {
        if (!_lock.TryEnter(CloseWait))
        {
            socket.Abort();
            return;
        }
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client is already gone; there is nobody left to tell.
        }
        finally
        {
            _lock.Exit();
        }
    }

    public ValueTask CloseAsync(int code, string reason)
    {
        Close(code, reason);
        return ValueTask.CompletedTask;
    }
}
