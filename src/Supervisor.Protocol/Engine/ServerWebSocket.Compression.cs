using System.Buffers;
using System.Net.WebSockets;
using Supervisor.Protocol.Compression;
using Supervisor.Protocol.Extensions;
using Supervisor.Protocol.Frames;

namespace Supervisor.Protocol.Engine;

/// <summary>
/// permessage-deflate (RFC 7692) as this server agrees it: no context takeover either way,
/// so every message is inflated or deflated on its own, with zlib state that lives as long
/// as the message and not a moment longer. A compressed message in (RSV1 on its first
/// frame) is inflated into the caller's buffer as its frames arrive, never further than
/// that buffer reaches; a message out is compressed when it is sent whole and comes out
/// shorter, and goes as it is otherwise (§6 lets any message go uncompressed).
/// </summary>
public sealed partial class ServerWebSocket
{
    /// <summary>
    /// Shorter messages go uncompressed. Without context takeover every message deflated
    /// needs a zlib state of its own (~250 KB allocated, its hash table cleared), a fixed
    /// cost that dominates small messages: measured (zlib-ng, level 6, JSON text), 7–8 µs
    /// for 64, 128 and 256 bytes alike, 14 µs for 1 KiB, against a worker's 40–60 µs of CPU
    /// per echo; and a message under 1 KiB fits one TCP segment compressed or not, so it
    /// saves a few hundred bytes at most, never a packet. Chat-sized traffic therefore
    /// never allocates a deflater. Node's ws draws its line at 1 KiB too.
    /// </summary>
    private const int CompressionThreshold = 1024;

    /// <summary>The deflater's window (server_max_window_bits as agreed, else 15); null
    /// when permessage-deflate was not agreed.</summary>
    private readonly int? _deflateWindowBits;

    // The compressed message being read (§7.2.2): the inflater, kept for the connection
    // (null without permessage-deflate) and holding zlib state while InMessage; how many
    // bytes at _receiveStart are payload already unmasked and not yet taken by zlib; how
    // much of the flush marker, appended after the final frame, zlib has still to take;
    // and whether the last inflate filled the room it had, so zlib may hold more output.
    private readonly MessageInflater? _inflater;
    private int _inflateInput;
    private int _markerLeft;
    private bool _inflateRoomFilled;

    private bool Inflating => _inflater is { InMessage: true };

    /// <summary>What this engine can honour: its inflater starts afresh with every message,
    /// so the client must too (client_no_context_takeover, which this server's 101 always
    /// names); its own deflater does so whatever was agreed.</summary>
    private static int DeflateWindowBits(DeflateAgreement deflate)
    {
        if (!deflate.ClientNoContextTakeover)
            throw new ArgumentException("this engine inflates every message on its own: client_no_context_takeover is required", nameof(deflate));
        int bits = deflate.ServerMaxWindowBits ?? MessageDeflater.MaxWindowBits;
        if (bits < MessageDeflater.MinWindowBits)
            throw new ArgumentOutOfRangeException(nameof(deflate), bits, "zlib cannot deflate raw data with a window under 2^9");
        return bits;
    }

    private void StartCompressedMessage()
    {
        try
        {
            _inflater!.Begin();
        }
        catch (Exception e) when (e is ObjectDisposedException or InsufficientMemoryException)
        {
            throw InflaterFailed(e);
        }
        _inflateInput = 0;
        _markerLeft = MessageDeflater.FlushMarker.Length;
        _inflateRoomFilled = false;
    }

    /// <summary>
    /// The next inflated piece of the compressed message, or null when the frame being read
    /// is used up and is not the last: the next frame header comes first. Returns what it
    /// has rather than block for more input, and ends the message only once the flush
    /// marker is in and zlib has no more output for it.
    /// </summary>
    private ValueWebSocketReceiveResult? ReadCompressed(Span<byte> destination)
    {
        int written = 0;
        while (true)
        {
            bool frameUsed = _payloadLeft == 0 && _inflateInput == 0;
            if (frameUsed && !_inflateRoomFilled)
            {
                if (!_frameFin)
                    return written > 0 ? Deliver(destination[..written], endOfMessage: false) : null;
                if (_markerLeft == 0)
                {
                    _inflater!.End();
                    return Deliver(destination[..written], endOfMessage: true);
                }
            }
            if (written == destination.Length)
                return Deliver(destination[..written], endOfMessage: false);
            if (!frameUsed && _inflateInput == 0 && !_inflateRoomFilled)
            {
                if (_receiveEnd == _receiveStart)
                {
                    if (written > 0)
                        return Deliver(destination[..written], endOfMessage: false);
                    Fill(1);
                }
                int count = (int)Math.Min(_payloadLeft, _receiveEnd - _receiveStart);
                _maskOffset = Masking.Apply(_receiveBuffer.AsSpan(_receiveStart, count), _maskKey, _maskOffset);
                _payloadLeft -= count;
                _inflateInput = count;
            }

            bool feedingMarker = _inflateInput == 0 && _payloadLeft == 0 && _frameFin;
            ReadOnlySpan<byte> input = _inflateInput > 0 ? _receiveBuffer.AsSpan(_receiveStart, _inflateInput)
                : feedingMarker ? MessageDeflater.FlushMarker[^_markerLeft..]
                : [];
            Span<byte> room = destination[written..];
            string? error;
            int consumed, produced;
            try
            {
                error = _inflater!.Inflate(input, room, out consumed, out produced);
            }
            catch (Exception e) when (e is ObjectDisposedException or InsufficientMemoryException)
            {
                throw InflaterFailed(e);
            }
            if (error is not null)
                throw Fail(ProtocolViolation.InvalidCompressedData, error);
            if (_inflateInput > 0)
            {
                _receiveStart += consumed;
                _inflateInput -= consumed;
            }
            else if (feedingMarker)
            {
                _markerLeft -= consumed;
            }
            written += produced;
            _inflateRoomFilled = produced == room.Length;
        }
    }

    /// <summary>The inflater's own failures, as the engine reports them: disposed under
    /// us, the connection was aborted meanwhile (a lost connection to the caller); zlib
    /// out of memory, the connection cannot go on and is dropped.</summary>
    private WebSocketException InflaterFailed(Exception e)
    {
        if (e is ObjectDisposedException)
            return new WebSocketException(WebSocketError.ConnectionClosedPrematurely, e);
        Abort();
        return new WebSocketException(WebSocketError.Faulted, e.Message);
    }

    /// <summary>The message whole, deflated into one frame with RSV1 set, if it is long
    /// enough to be worth it and comes out shorter; false to send it as it is.</summary>
    private bool TryWriteCompressed(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        if (_deflateWindowBits is not int windowBits || payload.Length < CompressionThreshold)
            return false;
        // The header goes right before the deflated bytes, whose length it states, in one
        // array: one write per frame (see WriteFrame).
        const int headerRoom = 10;
        byte[] rented = ArrayPool<byte>.Shared.Rent(headerRoom + payload.Length + MessageDeflater.FlushMarker.Length);
        try
        {
            Span<byte> deflated = rented.AsSpan(headerRoom);
            int length;
            try
            {
                if (!MessageDeflater.TryDeflate(payload, deflated, windowBits, out length))
                    return false;
            }
            catch (InsufficientMemoryException)
            {
                return false; // no memory for zlib now: the message goes as it is
            }
            int headerSize = ServerFrameHeader.SizeFor(length);
            int start = headerRoom - headerSize;
            ServerFrameHeader.Write(rented.AsSpan(start), opcode, fin: true, length, compressed: true);
            Write(rented.AsSpan(start, headerSize + length));
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
