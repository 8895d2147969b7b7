using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>WebSocket frames read and written byte for byte, for answers a client library
/// would hide (the acceptor's own 101 + close 1013).</summary>
public static class RawFrames
{
    public sealed record Frame(bool Fin, int Opcode, bool Masked, byte[] Payload)
    {
        public int CloseCode => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : 0;

        public string CloseReason => Payload.Length > 2 ? Encoding.UTF8.GetString(Payload, 2, Payload.Length - 2) : "";
    }

    /// <summary>Reads one whole frame (RFC 6455 §5.2).</summary>
    public static async Task<Frame> ReadFrameAsync(Socket socket, CancellationToken cancellation)
    {
        byte[] head = await RawHttp.ReadExactlyAsync(socket, 2, cancellation);
        long length = head[1] & 0x7F;
        if (length == 126)
            length = BinaryPrimitives.ReadUInt16BigEndian(await RawHttp.ReadExactlyAsync(socket, 2, cancellation));
        else if (length == 127)
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(await RawHttp.ReadExactlyAsync(socket, 8, cancellation));
        bool masked = (head[1] & 0x80) != 0;
        byte[] mask = masked ? await RawHttp.ReadExactlyAsync(socket, 4, cancellation) : [];
        byte[] payload = length == 0 ? [] : await RawHttp.ReadExactlyAsync(socket, checked((int)length), cancellation);
        for (int i = 0; masked && i < payload.Length; i++)
            payload[i] ^= mask[i % 4];
        return new Frame((head[0] & 0x80) != 0, head[0] & 0x0F, masked, payload);
    }

    /// <summary>A client's close frame (clients must mask, §5.3), code only.</summary>
    public static byte[] ClientClose(ushort code)
    {
        byte[] mask = [0x12, 0x34, 0x56, 0x78];
        byte[] payload = [(byte)(code >> 8), (byte)code];
        return [0x88, 0x82, .. mask, (byte)(payload[0] ^ mask[0]), (byte)(payload[1] ^ mask[1])];
    }

    /// <summary>Sends <paramref name="request"/> and reads what an upgrade refused with
    /// "retry later" must be: a 101, then at once a close frame. Answers the close as a
    /// browser would and checks the server then closes the connection.</summary>
    public static async Task<(RawHttp.Response Head, Frame Close)> ExchangeExpectingCloseAsync(
        int port, string request, CancellationToken cancellation)
    {
        using var socket = await RawHttp.ConnectAsync(port, cancellation);
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, cancellation);
        var head = await RawHttp.ReadHeadAsync(socket, cancellation);
        Assert.Equal("HTTP/1.1 101 Switching Protocols", head.StatusLine);
        var close = await ReadFrameAsync(socket, cancellation);
        await socket.SendAsync(ClientClose((ushort)close.CloseCode), SocketFlags.None, cancellation);
        Assert.Empty(await RawHttp.ReadToEndAsync(socket, cancellation)); // nothing after the close frame, then EOF
        return (head, close);
    }

    /// <summary>Asserts the refusal a browser's script can read: 101, then close 1013 with
    /// a reason containing <paramref name="reasonPart"/>, unmasked, FIN set.</summary>
    public static async Task AssertRetryLaterAsync(int port, string request, string reasonPart, CancellationToken cancellation)
    {
        var (head, close) = await ExchangeExpectingCloseAsync(port, request, cancellation);
        Assert.Equal(RawHttp.SampleAccept, head.Header("Sec-WebSocket-Accept"));
        Assert.True(close.Fin);
        Assert.False(close.Masked);
        Assert.Equal(8, close.Opcode);
        Assert.Equal(1013, close.CloseCode);
        Assert.Contains(reasonPart, close.CloseReason);
    }
}
