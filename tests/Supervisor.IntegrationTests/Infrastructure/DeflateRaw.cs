using System.IO.Compression;
using System.Net.Sockets;
using System.Text;

namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>A raw client on a connection that agreed permessage-deflate (RFC 7692): frames
/// built byte by byte, compressed or not, and the server's answer read the same way.</summary>
public static class DeflateRaw
{
    private static readonly byte[] Key = [0x37, 0xFA, 0x21, 0x3D];

    /// <summary>Upgrades offering permessage-deflate and asserts it was agreed.</summary>
    public static async Task<Socket> ConnectAsync(int port, string target, CancellationToken cancellation)
    {
        var socket = await RawHttp.ConnectAsync(port, cancellation);
        await socket.SendAsync(Encoding.ASCII.GetBytes(RawHttp.UpgradeHead(target, "Sec-WebSocket-Extensions: permessage-deflate")),
            SocketFlags.None, cancellation);
        var head = await RawHttp.ReadHeadAsync(socket, cancellation);
        Assert.Equal("HTTP/1.1 101 Switching Protocols", head.StatusLine);
        Assert.StartsWith("permessage-deflate", head.Header("Sec-WebSocket-Extensions"));
        return socket;
    }

    /// <summary>A client frame: FIN, RSV bits and opcode in <paramref name="first"/>, masked.</summary>
    public static byte[] Frame(byte first, byte[] payload) =>
        [.. MaskedFrames.Header(first, payload.Length, Key), .. MaskedFrames.Mask(payload, Key, 0)];

    /// <summary>RFC 7692 §7.2.1: raw DEFLATE ending in a sync flush, the final 00 00 FF FF removed.</summary>
    public static byte[] Deflated(byte[] data)
    {
        var output = new MemoryStream();
        using var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true);
        deflate.Write(data);
        deflate.Flush(); // Z_SYNC_FLUSH; what disposing adds (a final block) is not taken
        byte[] flushed = output.ToArray();
        Assert.True(flushed.AsSpan().EndsWith(new byte[] { 0x00, 0x00, 0xFF, 0xFF }), "no sync flush marker");
        return flushed[..^4];
    }

    /// <summary>The server's close frame with the code and exact reason, then the TCP
    /// connection closed by the server (RFC 6455 §7.1.1), nothing in between.</summary>
    public static async Task AssertClosedAsync(Socket socket, int code, string reason, CancellationToken cancellation)
    {
        var close = await RawFrames.ReadFrameAsync(socket, cancellation);
        Assert.Equal((8, true, false), (close.Opcode, close.Fin, close.Masked));
        Assert.Equal((code, reason), (close.CloseCode, close.CloseReason));
        Assert.Empty(await RawHttp.ReadToEndAsync(socket, cancellation));
    }
}
