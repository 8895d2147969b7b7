using System.Net.Sockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// With permessage-deflate agreed, frames are judged as strictly as without it: RSV1
/// means "compressed" on the first frame of a data message and nowhere else (RFC 7692
/// §6), data that does not inflate or is not UTF-8 once inflated is 1007, and every
/// other violation closes with its code and a reason, as on a connection with no
/// extension. Each test plays the client with raw frames on a socket.
/// </summary>
public sealed class DeflateFrameRulesTests
{
    [Theory]
    [InlineData(0xC9)] // FIN, RSV1, ping
    [InlineData(0xCA)] // FIN, RSV1, pong
    [InlineData(0xC8)] // FIN, RSV1, close
    public async Task Deflate_Rsv1OnAControlFrame_Close1002(int finRsvOpcode)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var socket = await DeflateRaw.ConnectAsync(server.Port, "/deflate", cts.Token);

        await socket.SendAsync(DeflateRaw.Frame((byte)finRsvOpcode, [0x03, 0xE8]), SocketFlags.None, cts.Token);

        await DeflateRaw.AssertClosedAsync(socket, 1002, "RSV1 set on a control frame", cts.Token);
    }

    [Fact]
    public async Task Deflate_Rsv1OnAContinuationFrame_Close1002()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var socket = await DeflateRaw.ConnectAsync(server.Port, "/deflate", cts.Token);

        byte[] frames =
        [
            .. DeflateRaw.Frame(0x01, "ab"u8.ToArray()), // text, not FIN, uncompressed
            .. DeflateRaw.Frame(0xC0, "cd"u8.ToArray()), // FIN, RSV1, continuation
        ];
        await socket.SendAsync(frames, SocketFlags.None, cts.Token);

        await DeflateRaw.AssertClosedAsync(socket, 1002, "RSV1 set on a continuation frame", cts.Token);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, "invalid block type")] // BTYPE 11 is reserved (RFC 1951 §3.2.3)
    [InlineData(new byte[] { (byte)'h', (byte)'i' }, "invalid stored block lengths")] // 'h' starts a stored block; LEN 0x0069 ≠ ~NLEN
    public async Task Deflate_CompressedDataThatDoesNotInflate_Close1007WithZlibsReason(byte[] payload, string zlibSays)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var socket = await DeflateRaw.ConnectAsync(server.Port, "/deflate", cts.Token);

        await socket.SendAsync(DeflateRaw.Frame(0xC1, payload), SocketFlags.None, cts.Token); // FIN, RSV1, text

        await DeflateRaw.AssertClosedAsync(socket, 1007, $"compressed data does not inflate: {zlibSays}", cts.Token);
    }

    /// <summary>The message stops inside a character, and the final fragment that says so
    /// is empty: the check at the end of the message must still run.</summary>
    [Fact]
    public async Task Deflate_TextEndingInHalfACharacterThenEmptyFinalFragment_Close1007()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var socket = await DeflateRaw.ConnectAsync(server.Port, "/deflate", cts.Token);

        byte[] frames =
        [
            .. DeflateRaw.Frame(0x01, [(byte)'a', (byte)'b', 0xE2, 0x82]), // text, not FIN: "ab" and 2 of the 3 bytes of '€'
            .. DeflateRaw.Frame(0x80, []),                                 // FIN, continuation, empty
        ];
        await socket.SendAsync(frames, SocketFlags.None, cts.Token);

        await DeflateRaw.AssertClosedAsync(socket, 1007, "text is not UTF-8", cts.Token);
    }

    /// <summary>The same cut, compressed: UTF-8 is judged on what inflates, across
    /// frames, and at the end of the message.</summary>
    [Fact]
    public async Task Deflate_CompressedTextEndingInHalfACharacter_Close1007()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var socket = await DeflateRaw.ConnectAsync(server.Port, "/deflate", cts.Token);

        byte[] frames =
        [
            .. DeflateRaw.Frame(0x41, DeflateRaw.Deflated([(byte)'a', (byte)'b', 0xE2, 0x82])), // RSV1, text, not FIN
            .. DeflateRaw.Frame(0x80, []),                                                      // FIN, continuation, empty
        ];
        await socket.SendAsync(frames, SocketFlags.None, cts.Token);

        await DeflateRaw.AssertClosedAsync(socket, 1007, "text is not UTF-8", cts.Token);
    }

    /// <summary>§5.1: a server MUST close on an unmasked client frame. Read as masked, this
    /// one's "payload" would wait for a mask key that never comes.</summary>
    [Fact]
    public async Task Deflate_ShortUnmaskedFrame_Close1002AtOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var socket = await DeflateRaw.ConnectAsync(server.Port, "/deflate", cts.Token);

        await socket.SendAsync(new byte[] { 0x81, 0x02, (byte)'h', (byte)'i' }, SocketFlags.None, cts.Token); // FIN, text, MASK=0, 2 bytes

        await DeflateRaw.AssertClosedAsync(socket, 1002, "client frame not masked", cts.Token);
    }

    [Fact]
    public async Task Deflate_CloseReasonNotUtf8_Close1007()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var socket = await DeflateRaw.ConnectAsync(server.Port, "/deflate", cts.Token);

        await socket.SendAsync(DeflateRaw.Frame(0x88, [0x03, 0xE8, 0xC0, 0xAF]), SocketFlags.None, cts.Token); // 1000, then an over-long '/'

        await DeflateRaw.AssertClosedAsync(socket, 1007, "close reason is not UTF-8", cts.Token);
    }
}
