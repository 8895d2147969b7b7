using System.Net.WebSockets;
using Supervisor.Protocol.Frames;

namespace Supervisor.Protocol.Engine;

/// <summary>The receive side: frames in, messages out in pieces, control frames answered
/// on the way (RFC 6455 §5.4–§5.5).</summary>
public sealed partial class ServerWebSocket
{
    private readonly byte[] _receiveBuffer = new byte[ReceiveBufferBytes];
    private int _receiveStart;
    private int _receiveEnd;

    // The data frame being read: what is left of its payload, its mask, and whether it ends
    // its message. A frame with an empty payload is still owed to the caller once.
    private long _payloadLeft;
    private bool _emptyFrameOwed;
    private uint _maskKey;
    private int _maskOffset;
    private bool _frameFin;

    // The message being read (§5.4: data frames of one message are not interleaved).
    private bool _insideMessage;
    private WebSocketMessageType _messageType;
    private Utf8Stream _utf8;

    public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return new ValueTask<ValueWebSocketReceiveResult>(Receive(buffer.Span, cancellationToken));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<ValueWebSocketReceiveResult>(e);
        }
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        ValueWebSocketReceiveResult result = await ReceiveAsync(buffer.AsMemory(), cancellationToken);
        return result.MessageType == WebSocketMessageType.Close
            ? new WebSocketReceiveResult(0, WebSocketMessageType.Close, true, _closeStatus, _closeStatusDescription)
            : new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage);
    }

    /// <summary>The next piece of a message, or the client's close. A cancellation aborts
    /// the connection, since nothing else interrupts a blocking read.</summary>
    private ValueWebSocketReceiveResult Receive(Span<byte> destination, CancellationToken cancellation)
    {
        WebSocketState state = State;
        if (state is not (WebSocketState.Open or WebSocketState.CloseSent))
            throw new WebSocketException(WebSocketError.InvalidState, $"cannot receive in state {state}");
        using CancellationTokenRegistration abortOnCancel = cancellation.CanBeCanceled
            ? cancellation.UnsafeRegister(static s => ((ServerWebSocket)s!).Abort(), this)
            : default;
        try
        {
            while (true)
            {
                if (Inflating)
                {
                    if (ReadCompressed(destination) is { } inflated)
                        return inflated;
                }
                else if (_payloadLeft > 0 || _emptyFrameOwed)
                {
                    return ReadPayload(destination);
                }

                ReceivedFrameHeader header = ReadHeader();
                if (header.IsControl)
                {
                    if (HandleControlFrame(header) is { } closed)
                        return closed;
                    continue;
                }
                if (header.Opcode != Opcode.Continuation)
                {
                    _insideMessage = true;
                    _messageType = header.Opcode == Opcode.Text ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
                    _utf8 = default;
                    if (header.Rsv1)
                        StartCompressedMessage();
                }
                _payloadLeft = (long)header.PayloadLength;
                _emptyFrameOwed = _payloadLeft == 0 && !Inflating;
                _maskKey = header.MaskKey;
                _maskOffset = 0;
                _frameFin = header.Fin;
            }
        }
        catch (Exception) when (cancellation.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellation);
        }
    }

    private ValueWebSocketReceiveResult ReadPayload(Span<byte> destination)
    {
        int want = (int)Math.Min(_payloadLeft, destination.Length);
        int count;
        if (_receiveEnd > _receiveStart || want < _receiveBuffer.Length)
        {
            if (want > 0 && _receiveEnd == _receiveStart)
                Fill(1);
            count = Math.Min(want, _receiveEnd - _receiveStart);
            _receiveBuffer.AsSpan(_receiveStart, count).CopyTo(destination);
            _receiveStart += count;
        }
        else
        {
            count = ReadStream(destination[..want]); // a long payload: no detour through our buffer
        }
        Span<byte> piece = destination[..count];
        _maskOffset = Masking.Apply(piece, _maskKey, _maskOffset);
        _payloadLeft -= count;
        _emptyFrameOwed = false;
        return Deliver(piece, endOfMessage: _payloadLeft == 0 && _frameFin);
    }

    /// <summary>A piece of the message as the caller gets it (inflated, if it was
    /// compressed): text is checked for UTF-8 across pieces, and at the end of the message
    /// for a character left unfinished, however empty the final frame (§8.1).</summary>
    private ValueWebSocketReceiveResult Deliver(ReadOnlySpan<byte> piece, bool endOfMessage)
    {
        if (_messageType == WebSocketMessageType.Text
            && (!_utf8.Append(piece) || (endOfMessage && !_utf8.IsComplete)))
            throw Fail(ProtocolViolation.InvalidUtf8Text);
        if (endOfMessage)
            _insideMessage = false;
        return new ValueWebSocketReceiveResult(piece.Length, _messageType, endOfMessage);
    }

    private ReceivedFrameHeader ReadHeader()
    {
        ReceivedFrameHeader header;
        int needed;
        while (!ReceivedFrameHeader.TryRead(Buffered, out header, out needed))
            Fill(needed);
        _receiveStart += header.Size;
        if (FrameRules.Check(header, _insideMessage, deflate: _deflateWindowBits is not null) is { } violation)
            throw Fail(violation);
        return header;
    }

    /// <summary>Ping → pong with the same payload (§5.5.2); pong → nothing; close → the
    /// result that reports it. A control frame may come between the frames of a message
    /// (§5.4), which leaves the message as it was.</summary>
    private ValueWebSocketReceiveResult? HandleControlFrame(in ReceivedFrameHeader header)
    {
        int length = (int)header.PayloadLength; // ≤ 125 (FrameRules)
        Fill(length);
        Span<byte> payload = stackalloc byte[length];
        Buffered[..length].CopyTo(payload);
        _receiveStart += length;
        Masking.Apply(payload, header.MaskKey, 0);

        switch (header.Opcode)
        {
            case Opcode.Ping:
                if (State == WebSocketState.Open)
                {
                    lock (_sendLock)
                        WriteFrame(Opcode.Pong, fin: true, payload);
                }
                return null;
            case Opcode.Pong:
                return null;
            default:
                if (ClosePayload.TryRead(payload, out WebSocketCloseStatus status, out string reason) is { } violation)
                    throw Fail(violation);
                _closeStatus = status;
                _closeStatusDescription = reason;
                lock (_stateLock)
                {
                    if (_state == WebSocketState.Open)
                        _state = WebSocketState.CloseReceived;
                    else if (_state == WebSocketState.CloseSent)
                        _state = WebSocketState.Closed;
                }
                return new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, endOfMessage: true);
        }
    }

    /// <summary>§7.1.7: the close frame with the violation's code, then the connection
    /// dropped; the exception tells the caller, with no inner IOException (that would
    /// mean the client vanished). <paramref name="detail"/> narrows the reason down
    /// (zlib's word on data that does not inflate).</summary>
    private WebSocketException Fail(ProtocolViolation violation, string? detail = null)
    {
        string reason = detail is null ? ProtocolViolations.Describe(violation) : $"{ProtocolViolations.Describe(violation)}: {detail}";
        try
        {
            SendClose((WebSocketCloseStatus)ProtocolViolations.CloseCode(violation), reason);
        }
        catch (WebSocketException)
        {
            // Already closing, or the client is gone: nothing more to tell it.
        }
        Abort();
        return new WebSocketException(WebSocketError.Faulted, $"the client broke the protocol: {reason}");
    }

    private Span<byte> Buffered => _receiveBuffer.AsSpan(_receiveStart, _receiveEnd - _receiveStart);

    /// <summary>Reads until at least <paramref name="count"/> bytes are buffered.</summary>
    private void Fill(int count)
    {
        if (_receiveEnd - _receiveStart >= count)
            return;
        if (_receiveStart > 0)
        {
            Buffered.CopyTo(_receiveBuffer);
            _receiveEnd -= _receiveStart;
            _receiveStart = 0;
        }
        while (_receiveEnd < count)
            _receiveEnd += ReadStream(_receiveBuffer.AsSpan(_receiveEnd));
    }

    /// <summary>At least one byte; the end of the stream before a close frame is the
    /// client vanishing.</summary>
    private int ReadStream(Span<byte> destination)
    {
        int read;
        try
        {
            read = _stream.Read(destination);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, e);
        }
        if (read == 0)
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "the client closed the TCP connection without a close frame");
        return read;
    }
}
