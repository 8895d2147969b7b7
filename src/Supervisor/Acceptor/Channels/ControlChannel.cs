using System.Net.Sockets;

namespace Supervisor.Handoff;

/// <summary>Frames over a connected stream socket. One reader at a time; writes are
/// serialized so frames from several senders never interleave.</summary>
public sealed class ControlChannel : IDisposable
{
    private readonly Socket _socket;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _header = new byte[ControlFrame.HeaderSize];

    public ControlChannel(Socket socket) => _socket = socket;

    public Socket Socket => _socket;

    /// <summary>The next frame, or null at end of stream (the peer is gone).</summary>
    public async ValueTask<ControlFrame?> ReadAsync(CancellationToken cancellation = default)
    {
        if (!await FillAsync(_header, cancellation))
            return null;
        int length = ControlFrame.ReadPayloadLength(_header);
        if (length < 0)
            throw new InvalidDataException("control frame length out of range");
        var payload = new byte[length];
        if (length > 0 && !await FillAsync(payload, cancellation))
            return null;
        return new ControlFrame((FrameType)_header[0], payload);
    }

    public async ValueTask WriteAsync(ControlFrame frame, CancellationToken cancellation = default)
    {
        byte[] bytes = frame.Encode();
        await _writeLock.WaitAsync(cancellation);
        try
        {
            await _socket.SendAsync(bytes, SocketFlags.None, cancellation);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask<bool> FillAsync(Memory<byte> buffer, CancellationToken cancellation)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = await _socket.ReceiveAsync(buffer[filled..], SocketFlags.None, cancellation);
            if (n == 0)
                return false;
            filled += n;
        }
        return true;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _writeLock.Dispose();
    }
}
