using System.Buffers;
using System.Net.WebSockets;
using Supervisor.Protocol.Compression;
using Supervisor.Protocol.Extensions;
using Supervisor.Protocol.Frames;

namespace Supervisor.Protocol.Engine;

/// <summary>
/// The server side of RFC 6455, with or without permessage-deflate (RFC 7692, no context
/// takeover either way: ServerWebSocket.Compression.cs), over a stream whose reads and
/// writes block (the worker's client socket): every call has finished when it returns,
/// and its ValueTask is complete. Every connection runs on it, so every connection's
/// frames are judged by the same rules (FrameRules).
/// </summary>
/// <remarks>
/// Why not the BCL's engine, which ran compressed connections until this one learnt
/// RFC 7692 (and let through RSV1 on control frames, hung on a short unmasked frame,
/// dropped TCP on bad deflate data): per message, its asynchronous receive
/// and send state machines, its send lock and its buffer management run on a worker
/// thread that has just woken with cold caches, once for each message in and out. In the
/// 100-connection echo (bash app, 32-byte messages, 300 per connection), the worker's CPU
/// per echo was 0.98–1.03 of the bash app's with the BCL engine and 0.82–0.87 with this
/// one and two smaller cuts of the same day (0.85 for this one alone), means of four
/// alternated rounds, three sets; websocketd's whole process was
/// 0.70–0.72 in the same rounds, and a C relay of the worker's shape 0.65. Each frame
/// here is one header parse and one copy in, one header and one write out.
/// <para>Behaviour follows the BCL's engine where the worker depends on it: a protocol
/// violation sends close 1002 (1007 for bad UTF-8 or data that does not inflate),
/// aborts, and throws a <see cref="WebSocketException"/> without an inner
/// <see cref="IOException"/>; a lost
/// connection throws one with <see cref="WebSocketError.ConnectionClosedPrematurely"/>;
/// a received close moves Open to CloseReceived (the caller answers it) and CloseSent to
/// Closed; the keep-alive is an unsolicited pong (§5.5.3); Abort disposes the stream,
/// which is what wakes a thread blocked in a read.</para>
/// </remarks>
public sealed partial class ServerWebSocket : WebSocket
{
    /// <summary>Room for a control frame whole (14-byte header + 125) and for the typical
    /// message; a payload longer than this, with nothing buffered, is read straight into
    /// the caller's buffer.</summary>
    private const int ReceiveBufferBytes = 4 * 1024;

    /// <summary>A frame to send that fits here is built in place; a bigger one in a rented array.</summary>
    private const int SendBufferBytes = 1024;

    private readonly Stream _stream;
    private readonly Lock _sendLock = new();
    private readonly Lock _stateLock = new();
    private readonly byte[] _sendBuffer = new byte[SendBufferBytes];
    private readonly Timer? _keepAlive;
    private volatile WebSocketState _state = WebSocketState.Open;
    private WebSocketCloseStatus? _closeStatus;
    private string? _closeStatusDescription;
    private bool _sendingFragments;
    private int _disposed;

    /// <param name="stream">The connection, after the 101; disposed with this.</param>
    /// <param name="keepAliveInterval">How often to send an unsolicited pong; zero for never.</param>
    /// <param name="deflate">The permessage-deflate agreement of the 101, or null for none.</param>
    public ServerWebSocket(Stream stream, TimeSpan keepAliveInterval, DeflateAgreement? deflate = null)
    {
        if (deflate is not null)
        {
            _deflateWindowBits = DeflateWindowBits(deflate);
            _inflater = new MessageInflater();
        }
        _stream = stream;
        if (keepAliveInterval > TimeSpan.Zero)
            _keepAlive = new Timer(static s => ((ServerWebSocket)s!).SendKeepAlive(), this, keepAliveInterval, keepAliveInterval);
    }

    public override WebSocketState State => _state;

    public override WebSocketCloseStatus? CloseStatus => _closeStatus;

    public override string? CloseStatusDescription => _closeStatusDescription;

    public override string? SubProtocol => null;

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        try
        {
            Send(buffer.Span, messageType, endOfMessage);
            return default;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken) =>
        SendAsync(buffer, messageType, (messageFlags & WebSocketMessageFlags.EndOfMessage) != 0, cancellationToken);

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        try
        {
            SendClose(closeStatus, statusDescription ?? "");
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    /// <summary>Sends the close frame, then reads (and drops data) until the client's.</summary>
    public override async Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        await CloseOutputAsync(closeStatus, statusDescription, cancellationToken);
        byte[] scratch = new byte[ReceiveBufferBytes];
        while (State == WebSocketState.CloseSent)
            await ReceiveAsync(scratch.AsMemory(), cancellationToken);
    }

    /// <summary>Ends the connection at once: no close frame. Disposing the stream shuts the
    /// socket down, which returns a read blocked on another thread.</summary>
    public override void Abort()
    {
        lock (_stateLock)
        {
            if (_state != WebSocketState.Closed)
                _state = WebSocketState.Aborted;
        }
        Dispose();
    }

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        _keepAlive?.Dispose();
        _inflater?.Dispose();
        lock (_stateLock)
        {
            if (_state is not (WebSocketState.Closed or WebSocketState.Aborted))
                _state = WebSocketState.Closed;
        }
        _stream.Dispose();
    }

    private void Send(ReadOnlySpan<byte> payload, WebSocketMessageType messageType, bool endOfMessage)
    {
        if (messageType is not (WebSocketMessageType.Text or WebSocketMessageType.Binary))
            throw new ArgumentException("only text and binary messages are sent this way; close with CloseOutputAsync", nameof(messageType));
        lock (_sendLock)
        {
            ThrowUnlessSendable();
            Opcode opcode = _sendingFragments ? Opcode.Continuation
                : messageType == WebSocketMessageType.Text ? Opcode.Text : Opcode.Binary;
            // Only a message sent whole is compressed; one sent in fragments goes as it is.
            if (opcode == Opcode.Continuation || !endOfMessage || !TryWriteCompressed(opcode, payload))
                WriteFrame(opcode, endOfMessage, payload);
            _sendingFragments = !endOfMessage;
        }
    }

    /// <summary>§5.5.1: the status code, then the reason in UTF-8, cut at a character
    /// boundary to fit the 125 bytes of a control frame. 1005 (Empty) means no status: an
    /// empty payload.</summary>
    private void SendClose(WebSocketCloseStatus closeStatus, string statusDescription)
    {
        lock (_sendLock)
        {
            ThrowUnlessSendable();
            byte[] frame = closeStatus == WebSocketCloseStatus.Empty
                ? [0x88, 0x00]
                : CloseFrame.Server((ushort)closeStatus, statusDescription);
            Write(frame);
            lock (_stateLock)
            {
                if (_state == WebSocketState.Open)
                    _state = WebSocketState.CloseSent;
                else if (_state == WebSocketState.CloseReceived)
                    _state = WebSocketState.Closed;
            }
        }
    }

    private void ThrowUnlessSendable()
    {
        WebSocketState state = State;
        if (state is not (WebSocketState.Open or WebSocketState.CloseReceived))
            throw new WebSocketException(WebSocketError.InvalidState, $"cannot send in state {state}");
    }

    /// <summary>A pong (§5.5.3: "A Pong frame MAY be sent unsolicited"), which proxies count
    /// as traffic. Skipped while another send is under way: that one is traffic too.</summary>
    private void SendKeepAlive()
    {
        if (State != WebSocketState.Open || !_sendLock.TryEnter())
            return;
        try
        {
            WriteFrame(Opcode.Pong, fin: true, []);
        }
        catch (WebSocketException)
        {
            // The connection is gone; the receive side finds out and reports it.
        }
        finally
        {
            _sendLock.Exit();
        }
    }

    /// <summary>One frame, one write: the acceptor may write pushed messages to this socket
    /// too, and takes turns with us per write, so a frame is never split by its own.</summary>
    private void WriteFrame(Opcode opcode, bool fin, ReadOnlySpan<byte> payload)
    {
        int size = ServerFrameHeader.SizeFor(payload.Length) + payload.Length;
        byte[]? rented = size > _sendBuffer.Length ? ArrayPool<byte>.Shared.Rent(size) : null;
        Span<byte> frame = (rented ?? _sendBuffer).AsSpan(0, size);
        int header = ServerFrameHeader.Write(frame, opcode, fin, payload.Length);
        payload.CopyTo(frame[header..]);
        try
        {
            Write(frame);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Write(ReadOnlySpan<byte> frame)
    {
        try
        {
            _stream.Write(frame);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, e);
        }
    }
}
