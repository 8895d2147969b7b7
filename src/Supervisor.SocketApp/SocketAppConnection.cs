using System.Globalization;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Supervisor.Protocol.Engine;
using Supervisor.Protocol.Extensions;
using Supervisor.Unix;

namespace Supervisor.SocketApp;

/// <summary>
/// The connection a socket-mode app was started with. ws-supervisor has already
/// answered the handshake (with the permessage-deflate agreement in WS_EXTENSIONS) and
/// handed over the socket at fd 3 and the bus at fd 4; this adopts both and runs the
/// worker's own engine (<see cref="ServerWebSocket"/>) with exactly what the 101 promised,
/// so a socket-mode connection's frames are judged as every other connection's.
/// </summary>
/// <remarks>The engine's calls block (fd 3 is a blocking socket): a receive holds its
/// thread until a frame comes, as a one-connection process can afford; the bus is read on
/// another, and its sends take turns with the app's.</remarks>
/// <example>
/// <code>
/// await using var connection = SocketAppConnection.Adopt();
/// while (await connection.ReceiveAsync() is { } message)
///     await connection.SendAsync(message);
/// </code>
/// Broadcasts and targeted sends from the bus go to the client as text messages unless
/// <see cref="OnBusMessage"/> says otherwise; "going away" (server shutdown) closes the
/// connection with 1001, which ends <see cref="ReceiveAsync"/>.
/// </example>
public sealed class SocketAppConnection : IAsyncDisposable
{
    public const string SocketFdVariable = "WS_SOCKET_FD";
    public const string ControlFdVariable = "WS_CONTROL_FD";
    public const string ExtensionsVariable = "WS_EXTENSIONS";
    public const string MaxMessageVariable = "WS_MAX_MESSAGE";
    public const string PingIntervalVariable = "WS_PING_INTERVAL";

    private readonly NetworkStream _stream;
    private readonly Socket? _bus;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _goingAway = new();
    private readonly Task _busReader;
    private byte[] _buffer = new byte[4 * 1024];

    private SocketAppConnection(Socket client, Socket? bus, int maxMessageBytes, TimeSpan pingInterval, DeflateAgreement? deflate)
    {
        _stream = new NetworkStream(client, ownsSocket: true);
        _bus = bus;
        MaxMessageBytes = maxMessageBytes;
        WebSocket = new ServerWebSocket(_stream, pingInterval, deflate);
        _busReader = bus is null ? Task.CompletedTask : ReadBusAsync(new BusFrames(bus));
    }

    /// <summary>The engine itself, for what this class does not wrap.</summary>
    public WebSocket WebSocket { get; }

    /// <summary>--max-message: a larger client message closes the connection with 1009.</summary>
    public int MaxMessageBytes { get; }

    /// <summary>WS_CONNECTION_ID, the id `ws-supervisor send --conn=ID` addresses.</summary>
    public string? ConnectionId { get; } = Environment.GetEnvironmentVariable("WS_CONNECTION_ID");

    /// <summary>Cancelled when the acceptor says the server is going away.</summary>
    public CancellationToken GoingAway => _goingAway.Token;

    /// <summary>What to do with a bus message (a broadcast or a targeted send); the default
    /// sends it to the client as one text message.</summary>
    public Func<string, ValueTask>? OnBusMessage { get; set; }

    /// <summary>Adopts fd 3 and fd 4 (or the fds WS_SOCKET_FD and WS_CONTROL_FD name) and
    /// removes those variables, so a child of the app does not believe it owns them.</summary>
    public static SocketAppConnection Adopt()
    {
        int socketFd = IntVariable(SocketFdVariable, 3);
        int controlFd = IntVariable(ControlFdVariable, 4);
        var client = InheritedSocket.Adopt(socketFd);
        Socket? bus;
        try
        {
            bus = InheritedSocket.Adopt(controlFd);
        }
        catch (UnixException)
        {
            bus = null; // started by hand, with no bus: messages only
        }
        var deflate = DeflateAgreement.Parse(Environment.GetEnvironmentVariable(ExtensionsVariable));
        int maxMessage = IntVariable(MaxMessageVariable, 1024 * 1024);
        int ping = IntVariable(PingIntervalVariable, 0);
        foreach (string name in new[] { SocketFdVariable, ControlFdVariable })
            Environment.SetEnvironmentVariable(name, null);
        return new SocketAppConnection(client, bus, maxMessage, ping > 0 ? TimeSpan.FromSeconds(ping) : TimeSpan.Zero, deflate);
    }

    /// <summary>The next whole message, or null once the client has closed (the close is
    /// answered), the server is going away, or the connection failed. A message over
    /// <see cref="MaxMessageBytes"/> closes the connection with 1009 and returns null.</summary>
    public async ValueTask<SocketAppMessage?> ReceiveAsync(CancellationToken cancellation = default)
    {
        int filled = 0;
        try
        {
            while (true)
            {
                if (filled == _buffer.Length)
                    Array.Resize(ref _buffer, (int)Math.Min(_buffer.Length * 2L, MaxMessageBytes + 1L));
                var result = await WebSocket.ReceiveAsync(_buffer.AsMemory(filled), cancellation);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseAsync(WebSocket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "");
                    return null;
                }
                filled += result.Count;
                if (filled > MaxMessageBytes)
                {
                    await CloseAsync(WebSocketCloseStatus.MessageTooBig, "message exceeds --max-message");
                    return null;
                }
                if (result.EndOfMessage)
                    return new SocketAppMessage(result.MessageType, _buffer.AsSpan(0, filled).ToArray());
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Protocol errors are already answered by the engine (1002/1007); a vanished
            // client or a close we sent ourselves (going away) leaves nothing to read.
            return null;
        }
    }

    public ValueTask<bool> SendAsync(SocketAppMessage message) => SendAsync(message.Payload, message.Type);

    public ValueTask<bool> SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    /// <summary>Sends one message; false if the connection can no longer send. Sends from
    /// the app and from the bus never interleave.</summary>
    public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> payload, WebSocketMessageType type)
    {
        await _sendLock.WaitAsync();
        try
        {
            if (WebSocket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
                return false;
            await WebSocket.SendAsync(payload, type, endOfMessage: true, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends the close frame (once) and waits briefly for the client's reply.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        await _sendLock.WaitAsync();
        try
        {
            if (WebSocket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await WebSocket.CloseOutputAsync(status, reason, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            // Gone already.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReadBusAsync(BusFrames frames)
    {
        try
        {
            while (await frames.ReadAsync(CancellationToken.None) is { } frame)
            {
                if (frame.Type == BusFrames.Text)
                {
                    string text = Encoding.UTF8.GetString(frame.Payload);
                    if (OnBusMessage is { } handler)
                        await handler(text);
                    else
                        await SendTextAsync(text);
                }
                else if (frame.Type == BusFrames.GoingAway)
                {
                    await CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "going away");
                    _goingAway.Cancel();
                    return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or InvalidDataException)
        {
            // The acceptor has gone; the connection is the client's and carries on.
        }
    }

    private static int IntVariable(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : fallback;

    public async ValueTask DisposeAsync()
    {
        // Wait briefly for the client's answer to our close, so the TCP close that follows
        // is a clean one (RFC 6455 §7.1.1: the server closes the TCP connection first).
        if (WebSocket.State == WebSocketState.CloseSent)
        {
            using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                var sink = new byte[256];
                while (WebSocket.State == WebSocketState.CloseSent)
                    await WebSocket.ReceiveAsync(sink.AsMemory(), drain.Token);
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }
        WebSocket.Dispose();
        await _stream.DisposeAsync();
        _bus?.Dispose();
        await Task.WhenAny(_busReader, Task.Delay(100));
        _goingAway.Dispose();
    }
}
