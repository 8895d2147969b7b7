using System.IO.Compression;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;
using static Supervisor.IntegrationTests.Infrastructure.WsMessages;

namespace Supervisor.IntegrationTests;

/// <summary>permessage-deflate (RFC 7692): negotiated by the acceptor, run by the worker,
/// bounded in memory, and no way around --max-message.</summary>
[Collection(LoadCollection.Name)]
public sealed partial class CompressionTests
{
    private const string Agreed = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    [Theory]
    [InlineData("permessage-deflate; client_max_window_bits", Agreed)]
    [InlineData("permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=11", Agreed + "; server_max_window_bits=11")]
    [InlineData("permessage-deflate; server_max_window_bits=8", null)]
    [InlineData("permessage-deflate; unknown_parameter", null)]
    [InlineData("x-webkit-deflate-frame", null)]
    public async Task Handshake_DeflateOffer_AnsweredPerRfc7692(string offer, string? expected)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));

        var head = await UpgradeAsync(server.Port, offer, cts.Token);

        Assert.Equal("HTTP/1.1 101 Switching Protocols", head.StatusLine);
        Assert.Equal(expected, head.Header("Sec-WebSocket-Extensions"));
    }

    [Fact]
    public async Task Handshake_NoCompressionFlag_OfferDeclined()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--no-compression", Paths.Script("echo.sh"));

        var head = await UpgradeAsync(server.Port, "permessage-deflate; client_max_window_bits", cts.Token);

        Assert.Equal("HTTP/1.1 101 Switching Protocols", head.StatusLine);
        Assert.Null(head.Header("Sec-WebSocket-Extensions"));
    }

    [Fact]
    public async Task Deflate_ExactMode_AwkwardPayloadsCompressedBothWays_EchoedExactly()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start("--mode=exact", "--max-message=2M", Paths.Script("exact-echo.py"));
        using var client = new ClientWebSocket();
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        client.Options.CollectHttpResponseDetails = true;
        await client.ConnectAsync(server.Url("/deflate"), cts.Token);

        Assert.Equal(Agreed, client.HttpResponseHeaders?.GetValueOrDefault("Sec-WebSocket-Extensions")?.Single());
        foreach (var message in Awkward())
        {
            await client.SendAsync(message, cts.Token);
            AssertSame(message, await client.ReceiveMessageAsync(cts.Token));
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
    }

    /// <summary>server_max_window_bits binds our deflater (RFC 7692 §7.1.2.1): the client
    /// inflates with a 512-byte window, and text whose repeats lie 20 KB apart must come
    /// back without a match reaching that far (zlib: "invalid distance too far back").
    /// zlib lets a match reach into output it has just written, so the client reads in
    /// 100-byte pieces: then only the window is behind it.</summary>
    [Fact]
    public async Task Deflate_ClientLimitsOurWindowTo9Bits_EchoesInflateWithinIt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start("--mode=exact", Paths.Script("exact-echo.py"));
        using var client = new ClientWebSocket();
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions { ServerMaxWindowBits = 9 };
        client.Options.CollectHttpResponseDetails = true;
        await client.ConnectAsync(server.Url("/window"), cts.Token);
        Assert.Equal(Agreed + "; server_max_window_bits=9", client.HttpResponseHeaders?.GetValueOrDefault("Sec-WebSocket-Extensions")?.Single());

        var random = new Random(9);
        string stanza = new(Enumerable.Range(0, 20_000).Select(_ => (char)random.Next('a', 'z' + 1)).ToArray());
        foreach (var message in new[] { Message.Text(stanza + stanza + stanza), Message.Text(string.Concat(Enumerable.Repeat("{\"k\":1} ", 5000))) })
        {
            await client.SendAsync(message, cts.Token);
            var echo = new MemoryStream();
            var piece = new byte[100];
            ValueWebSocketReceiveResult result;
            do
            {
                result = await client.ReceiveAsync(piece.AsMemory(), cts.Token);
                echo.Write(piece, 0, result.Count);
            } while (!result.EndOfMessage);
            AssertSame(message, new Message(result.MessageType, echo.ToArray()));
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
    }

    /// <summary>
    /// A decompression bomb: one binary frame, RSV1 set, whose header promises 4 GiB of
    /// zeros deflated (4096 copies of a block that inflates to 1 MiB, about 1 KiB each).
    /// Only the first 8 blocks (a few KiB) are ever sent; the worker must inflate them
    /// chunk by chunk, find the message past --max-message (1 MiB), and close with 1009
    /// without waiting for the rest of the frame, its peak memory staying small.
    /// </summary>
    [Fact]
    public async Task Deflate_DecompressionBomb_Close1009BeforeInflatingIt_WorkerPeakRssSmall()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start("--mode=exact", Paths.Script("exact-echo.py"));
        using var socket = await RawHttp.ConnectAsync(server.Port, cts.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes(RawHttp.UpgradeHead("/bomb", "Sec-WebSocket-Extensions: permessage-deflate")),
            SocketFlags.None, cts.Token);
        var head = await RawHttp.ReadHeadAsync(socket, cts.Token);
        Assert.Equal(Agreed, head.Header("Sec-WebSocket-Extensions"));
        var (workerPid, _, _) = await server.WaitForOpenedAsync("/bomb", TimeSpan.FromSeconds(10));
        long idlePeakKb = PeakRssKb(workerPid);

        byte[] block = DeflatedZeros(1024 * 1024);
        const int promisedBlocks = 4096;
        byte[] mask = [0x11, 0x22, 0x33, 0x44];
        await socket.SendAsync(MaskedFrames.Header(0xC2, (long)block.Length * promisedBlocks, mask), SocketFlags.None, cts.Token); // FIN, RSV1, binary
        int sent = 0;
        for (int i = 0; i < 8; i++, sent += block.Length)
            await socket.SendAsync(MaskedFrames.Mask(block, mask, sent), SocketFlags.None, cts.Token);

        // The server's close frame: 0x88, length, status 1009 (0x03F1), reason.
        byte[] close = await RawHttp.ReadExactlyAsync(socket, 4, cts.Token);
        Assert.Equal(0x88, close[0]);
        Assert.Equal(1009, close[2] << 8 | close[3]);
        long peakKb = PeakRssKb(workerPid);
        // The receive buffer grows to the limit (1 MiB) and the inflater's input buffer
        // is bounded by it: a few MiB over an idle worker, never the promised GiBs.
        Assert.True(peakKb - idlePeakKb < 8 * 1024, $"worker peak RSS {idlePeakKb} → {peakKb} kB after a {sent}-byte bomb promising 4 GiB");
        await server.WaitForLogAsync(ClosedTooBig(), TimeSpan.FromSeconds(10));
        Console.WriteLine($"bomb: sent {sent} B of a {(long)block.Length * promisedBlocks}-byte frame promising 4 GiB inflated; worker VmHWM {idlePeakKb} kB idle → {peakKb} kB");
    }

    /// <summary>Deflate state is per message (no context takeover), so an idle
    /// connection costs what it costs without compression.</summary>
    [Fact]
    public async Task Deflate_IdleConnections_WorkerMemoryAsWithout()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        long plain = await MedianWorkerPssKbAsync(deflate: false, cts.Token);
        long compressed = await MedianWorkerPssKbAsync(deflate: true, cts.Token);

        Console.WriteLine($"median idle worker PSS: {plain} kB without deflate, {compressed} kB with");
        Assert.True(compressed - plain < 160, $"deflate adds {compressed - plain} kB per idle worker ({plain} → {compressed})");
    }

    private static async Task<long> MedianWorkerPssKbAsync(bool deflate, CancellationToken cancellation)
    {
        const int connections = 10;
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        var clients = new List<ClientWebSocket>();
        try
        {
            // A compressible 4 KiB line each way, so deflater and inflater have both run.
            string line = string.Concat(Enumerable.Repeat("{\"user\":42,\"text\":\"hello\"} ", 150));
            for (int i = 0; i < connections; i++)
            {
                var client = new ClientWebSocket();
                if (deflate)
                    client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
                clients.Add(client);
                await client.ConnectAsync(server.Url($"/idle{i}"), cancellation);
                await client.AssertEchoesAsync(line, cancellation);
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
            var pss = server.ServingWorkers().Select(w => PssKb(w.Pid)).Order().ToList();
            Assert.Equal(connections, pss.Count);
            return pss[pss.Count / 2];
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
    }

    private static async Task<RawHttp.Response> UpgradeAsync(int port, string offer, CancellationToken cancellation)
    {
        using var socket = await RawHttp.ConnectAsync(port, cancellation);
        await socket.SendAsync(Encoding.ASCII.GetBytes(RawHttp.UpgradeHead("/", $"Sec-WebSocket-Extensions: {offer}")),
            SocketFlags.None, cancellation);
        return await RawHttp.ReadHeadAsync(socket, cancellation);
    }

    /// <summary>Raw deflate of <paramref name="count"/> zeros ending in a sync flush
    /// (00 00 FF FF): a block that refers only to itself, so copies of it can follow
    /// each other in one stream, each inflating to the same zeros.</summary>
    private static byte[] DeflatedZeros(int count)
    {
        var output = new MemoryStream();
        var deflate = new DeflateStream(output, CompressionLevel.SmallestSize, leaveOpen: true);
        deflate.Write(new byte[count]);
        deflate.Flush(); // Z_SYNC_FLUSH
        byte[] block = output.ToArray();
        Assert.True(block.AsSpan().EndsWith(new byte[] { 0x00, 0x00, 0xFF, 0xFF }), "no sync flush marker");
        return block;
    }

    private static long PeakRssKb(int pid) => StatusKb(pid, "VmHWM:");

    private static long PssKb(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
        {
            if (line.StartsWith("Pss:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        throw new InvalidDataException($"no Pss in /proc/{pid}/smaps_rollup");
    }

    private static long StatusKb(int pid, string field)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        throw new InvalidDataException($"no {field} in /proc/{pid}/status");
    }

    [GeneratedRegex(@"connection ended: /bomb .*close=1009 reason=MessageTooBig")]
    private static partial Regex ClosedTooBig();
}
