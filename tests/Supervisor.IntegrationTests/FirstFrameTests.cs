using System.Net.Sockets;
using System.Text;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>The acceptor reads the request head and not a byte more: a first frame sent
/// in the same packet belongs to the worker, and must reach the app.</summary>
public sealed class FirstFrameTests
{
    [Fact]
    public async Task Handshake_FirstFrameInTheSameWrite_ReachesTheAppAndIsEchoed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var socket = await RawHttp.ConnectAsync(server.Port, cts.Token);

        byte[] mask = [0x37, 0xFA, 0x21, 0x3D];
        byte[] frame =
        [
            0x81,                   // FIN=1, RSV1-3=0, opcode 0x1 (text)
            0x82,                   // MASK=1 (client to server), payload length 2
            mask[0], mask[1], mask[2], mask[3], // masking key
            (byte)('h' ^ mask[0]),  // 'h' XOR key[0]
            (byte)('i' ^ mask[1]),  // 'i' XOR key[1]
        ];
        byte[] request = [.. Encoding.ASCII.GetBytes(RawHttp.UpgradeHead()), .. frame];
        await socket.SendAsync(request, SocketFlags.None, cts.Token); // one write: head and frame together

        var head = await RawHttp.ReadHeadAsync(socket, cts.Token);
        Assert.Equal("HTTP/1.1 101 Switching Protocols", head.StatusLine);
        Assert.Equal(RawHttp.SampleAccept, head.Header("Sec-WebSocket-Accept"));

        byte[] echo = await RawHttp.ReadExactlyAsync(socket, 4, cts.Token);
        Assert.Equal(new byte[]
        {
            0x81,       // FIN=1, opcode 0x1 (text)
            0x02,       // MASK=0 (server to client), payload length 2
            (byte)'h',
            (byte)'i',
        }, echo);

        byte[] close =
        [
            0x88,                   // FIN=1, opcode 0x8 (close)
            0x82,                   // MASK=1, payload length 2
            mask[0], mask[1], mask[2], mask[3],
            (byte)(0x03 ^ mask[0]), // status 1000 = 0x03E8, high byte, masked
            (byte)(0xE8 ^ mask[1]), // low byte, masked
        ];
        await socket.SendAsync(close, SocketFlags.None, cts.Token);
        byte[] reply = await RawHttp.ReadExactlyAsync(socket, 4, cts.Token);
        Assert.Equal(new byte[]
        {
            0x88,       // FIN=1, opcode 0x8 (close)
            0x02,       // unmasked, payload length 2
            0x03, 0xE8, // status 1000, echoed back
        }, reply);
    }

    [Fact]
    public async Task Handshake_HeadInSmallPiecesEndingWithAFrame_ReachesTheApp()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var socket = await RawHttp.ConnectAsync(server.Port, cts.Token);

        byte[] frame =
        [
            0x81,                   // FIN=1, opcode 0x1 (text)
            0x83,                   // MASK=1, payload length 3
            0x00, 0x00, 0x00, 0x00, // masking key of zeros: the payload reads as sent
            (byte)'a', (byte)'b', (byte)'c',
        ];
        byte[] request = [.. Encoding.ASCII.GetBytes(RawHttp.UpgradeHead()), .. frame];

        // 5-byte pieces: the terminator "\r\n\r\n" straddles pieces, and the last
        // piece holds the end of the head and the frame's start together.
        for (int offset = 0; offset < request.Length; offset += 5)
        {
            await socket.SendAsync(request.AsMemory(offset, Math.Min(5, request.Length - offset)), SocketFlags.None, cts.Token);
            await Task.Delay(2, cts.Token);
        }

        var head = await RawHttp.ReadHeadAsync(socket, cts.Token);
        Assert.Equal("HTTP/1.1 101 Switching Protocols", head.StatusLine);
        Assert.Equal(new byte[] { 0x81, 0x03, (byte)'a', (byte)'b', (byte)'c' }, await RawHttp.ReadExactlyAsync(socket, 5, cts.Token));
    }
}
