using static Supervisor.Protocol.Compression.CompressionNative;

namespace Supervisor.Protocol.Compression;

/// <summary>
/// RFC 7692 §7.2.2 with no context takeover: each message's payload, as its frames
/// arrive, then <see cref="MessageDeflater.FlushMarker"/>, inflated into whatever room the
/// caller gives, so the caller bounds how much is ever inflated (a decompression bomb
/// stops at the caller's limit). The zlib state lives from <see cref="Begin"/> to
/// <see cref="End"/>, one message: an idle connection holds none, and this object, kept
/// for the connection, makes no garbage per message.
/// </summary>
/// <remarks>Disposing is safe from another thread while <see cref="Inflate"/> runs on one
/// (a connection aborted mid-message): the zlib state is freed after that call returns.</remarks>
public sealed class MessageInflater : IDisposable
{
    private readonly Lock _lock = new();
    private PAL_ZStream _stream;
    private bool _ended;
    private bool _disposed;

    /// <summary>Between <see cref="Begin"/> and <see cref="End"/>.</summary>
    public bool InMessage { get; private set; }

    /// <summary>A message starts: a fresh zlib state, sharing nothing with the last one.</summary>
    public void Begin()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (InMessage)
                throw new InvalidOperationException("the last message has not ended");
            // -15: raw DEFLATE (no zlib header), any window up to 32 KiB, which is all a
            // client may use (this server never announces client_max_window_bits, §7.1.2.2).
            _stream = default;
            int code = CompressionNative_InflateInit2_(ref _stream, -MessageDeflater.MaxWindowBits);
            if (code != Z_OK)
            {
                string why = Describe(_stream, code);
                if (_stream.internalState != 0)
                    CompressionNative_InflateEnd(ref _stream);
                throw new InsufficientMemoryException($"zlib inflateInit2: {why}");
            }
            _ended = false;
            InMessage = true;
        }
    }

    /// <summary>
    /// Inflates what it can of <paramref name="input"/> into <paramref name="output"/>:
    /// null, with how much of each was used, or why the input is not DEFLATE data (zlib's
    /// own words). Input after a final block (BFINAL) is taken and ignored: RFC 7692
    /// §7.2.3.4 lets a sender end a message with one, followed by an empty block's bits.
    /// </summary>
    public unsafe string? Inflate(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!InMessage)
                throw new InvalidOperationException("no message has begun");
            if (_ended)
            {
                consumed = input.Length;
                written = 0;
                return null;
            }
            int code;
            fixed (byte* from = input)
            fixed (byte* to = output)
            {
                _stream.nextIn = (nint)from;
                _stream.availIn = (uint)input.Length;
                _stream.nextOut = (nint)to;
                _stream.availOut = (uint)output.Length;
                code = CompressionNative_Inflate(ref _stream, Z_NO_FLUSH);
                consumed = input.Length - (int)_stream.availIn;
                written = output.Length - (int)_stream.availOut;
                _stream.nextIn = 0;
                _stream.nextOut = 0;
            }
            switch (code)
            {
                case Z_OK or Z_BUF_ERROR: // Z_BUF_ERROR: no input or no room, not an error
                    return null;
                case Z_STREAM_END:
                    _ended = true;
                    consumed = input.Length;
                    return null;
                case Z_MEM_ERROR:
                    throw new InsufficientMemoryException($"zlib inflate: {Describe(_stream, code)}");
                default:
                    return Describe(_stream, code);
            }
        }
    }

    /// <summary>The message is over (or abandoned): its zlib state is freed.</summary>
    public void End()
    {
        lock (_lock)
            Free();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            Free();
        }
    }

    private void Free()
    {
        if (!InMessage)
            return;
        InMessage = false;
        CompressionNative_InflateEnd(ref _stream);
    }
}
