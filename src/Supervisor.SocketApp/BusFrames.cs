using System.Buffers.Binary;
using System.Net.Sockets;

namespace Supervisor.SocketApp;

/// <summary>
/// What the acceptor sends on fd 4 (docs/modes.md, "The bus at fd 4"): frames of a type
/// byte, a 4-byte big-endian payload length, and the payload. Type 2 is a text message
/// for the client (a broadcast or a targeted send), type 3 "going away" (close with
/// 1001 and exit); any other type is skipped, so newer acceptors can add some.
/// </summary>
internal sealed class BusFrames(Socket socket)
{
    public const byte Text = 2;
    public const byte GoingAway = 3;

    /// <summary>Frames longer than this are a broken peer (the acceptor's own bound).</summary>
    private const int MaxPayload = 64 * 1024 * 1024;

    private readonly byte[] _header = new byte[5];

    /// <summary>The next frame, or null at end of stream (the acceptor has gone).</summary>
    public async ValueTask<(byte Type, byte[] Payload)?> ReadAsync(CancellationToken cancellation)
    {
        if (!await FillAsync(_header, cancellation))
            return null;
        int length = BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(1));
        if (length is < 0 or > MaxPayload)
            throw new InvalidDataException("bus frame length out of range");
        var payload = new byte[length];
        if (length > 0 && !await FillAsync(payload, cancellation))
            return null;
        return (_header[0], payload);
    }

    private async ValueTask<bool> FillAsync(Memory<byte> buffer, CancellationToken cancellation)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[filled..], SocketFlags.None, cancellation);
            if (n == 0)
                return false;
            filled += n;
        }
        return true;
    }
}
