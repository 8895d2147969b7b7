using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Supervisor.Protocol.Compression;
using Supervisor.Protocol.Engine;
using Supervisor.Protocol.Extensions;
using Supervisor.Protocol.Tests.Compression;

namespace Supervisor.Protocol.Tests.Engine;

/// <summary>The engine with permessage-deflate agreed as this server agrees it (no context
/// takeover either way), on a real loopback TCP connection; the test plays the client with
/// hand-built frames, compressed by the BCL's DeflateStream.</summary>
public sealed class ServerWebSocketDeflateTests : IDisposable
{
    private static readonly byte[] Key = [0x37, 0xFA, 0x21, 0x3D];
    private static readonly DeflateAgreement Agreed = new(true, true, null, null);
    private static readonly byte[] Json = Encoding.UTF8.GetBytes(
        string.Concat(Enumerable.Repeat("{\"user\":42,\"text\":\"héllo\"} ", 200)));

    private readonly Socket _client;
    private readonly ServerWebSocket _server;

    public ServerWebSocketDeflateTests()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _client.Connect((IPEndPoint)listener.LocalEndpoint);
        _server = new ServerWebSocket(new NetworkStream(listener.AcceptSocket(), ownsSocket: true), TimeSpan.Zero, Agreed);
    }

    public void Dispose()
    {
        _server.Dispose();
        _client.Dispose();
    }

    [Fact]
    public void Create_ClientKeepsItsContext_Refused()
    {
        using var stream = new MemoryStream();

        Assert.Throws<ArgumentException>(() => new ServerWebSocket(stream, TimeSpan.Zero, Agreed with { ClientNoContextTakeover = false }));
    }

    [Fact]
    public async Task Receive_CompressedInThreeFragmentsWithPingBetween_InflatedWhole()
    {
        byte[] deflated = MessageInflaterTests.DeflatedAsAClientWould(Json);
        int third = deflated.Length / 3;
        _client.Send([
            .. ClientFrame(0x41, deflated[..third]),             // RSV1, text, not FIN
            .. ClientFrame(0x89, "hi"u8.ToArray()),              // ping inside the message (§5.4)
            .. ClientFrame(0x00, deflated[third..(2 * third)]),  // continuation, RSV1 clear (RFC 7692 §6.1)
            .. ClientFrame(0x80, deflated[(2 * third)..]),       // FIN, continuation
        ]);

        var (type, payload) = await ReceiveMessageAsync(new byte[100_000]);

        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal(Json, payload);
        Assert.Equal(new byte[] { 0x8A, 0x02, (byte)'h', (byte)'i' }, await ReadFromServerAsync(4)); // pong
    }

    /// <summary>A buffer smaller than the message, then one that the message ends exactly
    /// at: the end is reported only once zlib has nothing more, in an empty last piece.</summary>
    [Theory]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Receive_CompressedIntoASmallBuffer_InPiecesThenTheEnd(int bufferBytes)
    {
        _client.Send(ClientFrame(0xC2, MessageInflaterTests.DeflatedAsAClientWould(Json))); // FIN, RSV1, binary

        var (type, payload) = await ReceiveMessageAsync(new byte[bufferBytes]);

        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(Json, payload);
    }

    [Theory]
    [InlineData(new byte[] { 0xC1, 0x80, 0, 0, 0, 0 })] // FIN, RSV1, text, empty payload: the marker alone
    [InlineData(new byte[] { 0xC1, 0x81, 0, 0, 0, 0, 0x00 })] // RFC 7692 §7.2.3.6: an empty message compressed, 0x00
    public async Task Receive_EmptyCompressedMessage_EmptyText(byte[] frame)
    {
        _client.Send(frame);

        var result = await ReceiveAsync(new byte[16]);

        Assert.Equal((0, WebSocketMessageType.Text, true), (result.Count, result.MessageType, result.EndOfMessage));
    }

    [Fact]
    public async Task Receive_UncompressedMessage_AsItCame()
    {
        _client.Send(ClientFrame(0x81, "plain"u8.ToArray())); // FIN, RSV1 clear, text

        var (_, payload) = await ReceiveMessageAsync(new byte[16]);

        Assert.Equal("plain"u8.ToArray(), payload);
    }

    [Theory]
    [InlineData(new byte[] { 0xC9, 0x80, 0, 0, 0, 0 }, 1002, "RSV1 set on a control frame")]          // FIN, RSV1, ping
    [InlineData(new byte[] { 0xA1, 0x80, 0, 0, 0, 0 }, 1002, "reserved bits set")]                    // FIN, RSV2, text
    [InlineData(new byte[] { 0x41, 0x81, 0, 0, 0, 0, 0x00, 0xC0, 0x80, 0, 0, 0, 0 }, 1002, "RSV1 set on a continuation frame")]
    [InlineData(new byte[] { 0xC1, 0x82, 0, 0, 0, 0, (byte)'h', (byte)'i' }, 1007, "compressed data does not inflate: invalid stored block lengths")]
    [InlineData(new byte[] { 0xC1, 0x82, 0, 0, 0, 0, 0xFA, 0x0F }, 1007, "text is not UTF-8")]          // the byte 0xFF, deflated
    public async Task Receive_Violation_CloseWithCodeAndReason(byte[] frames, int code, string reason)
    {
        _client.Send(frames);

        var error = await Assert.ThrowsAsync<WebSocketException>(() => ReceiveMessageAsync(new byte[64]));

        Assert.Null(error.InnerException);
        byte[] head = await ReadFromServerAsync(2);
        Assert.Equal(0x88, head[0]);
        byte[] payload = await ReadFromServerAsync(head[1]);
        Assert.Equal((code, reason), ((payload[0] << 8) | payload[1], Encoding.UTF8.GetString(payload, 2, payload.Length - 2)));
    }

    [Fact]
    public async Task Send_LongCompressibleMessage_OneFrameWithRsv1ThatInflatesToIt()
    {
        await _server.SendAsync(Json, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        var (first, payload) = await ReadServerFrameAsync();

        Assert.Equal(0xC1, first); // FIN, RSV1, text
        Assert.True(payload.Length < Json.Length / 5, $"{Json.Length} bytes sent as {payload.Length}");
        Assert.Equal(Json, InflateWithBcl([.. payload, .. MessageDeflater.FlushMarker]));
    }

    [Fact]
    public async Task Send_ShortMessage_Uncompressed()
    {
        await _server.SendAsync("hi"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        Assert.Equal(new byte[] { 0x81, 0x02, (byte)'h', (byte)'i' }, await ReadFromServerAsync(4));
    }

    [Fact]
    public async Task Send_NoiseThatWouldNotShrink_Uncompressed()
    {
        byte[] noise = new byte[2000];
        new Random(3).NextBytes(noise);

        await _server.SendAsync(noise, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

        var (first, payload) = await ReadServerFrameAsync();
        Assert.Equal(0x82, first); // FIN, RSV1 clear, binary
        Assert.Equal(noise, payload);
    }

    [Fact]
    public async Task Send_InFragments_Uncompressed()
    {
        await _server.SendAsync(Json, WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None);
        await _server.SendAsync(Json, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        var (first, payload) = await ReadServerFrameAsync();
        var (second, _) = await ReadServerFrameAsync();
        Assert.Equal((0x01, 0x80), (first, second)); // text, not FIN; FIN, continuation; RSV1 clear on both
        Assert.Equal(Json, payload);
    }

    private static byte[] ClientFrame(byte first, byte[] payload)
    {
        var frame = new List<byte> { first };
        if (payload.Length <= 125)
            frame.Add((byte)(0x80 | payload.Length));
        else
            frame.AddRange([0xFE, (byte)(payload.Length >> 8), (byte)payload.Length]);
        frame.AddRange(Key);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ Key[i % 4])));
        return [.. frame];
    }

    private Task<ValueWebSocketReceiveResult> ReceiveAsync(byte[] buffer) =>
        Task.Run(async () => await _server.ReceiveAsync(buffer.AsMemory(), CancellationToken.None));

    /// <summary>Receives until the end of a message, as the worker does, with at most 10,000 pieces.</summary>
    private async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveMessageAsync(byte[] buffer)
    {
        var payload = new List<byte>();
        for (int pieces = 0; pieces < 10_000; pieces++)
        {
            var piece = await ReceiveAsync(buffer);
            payload.AddRange(buffer[..piece.Count]);
            if (piece.EndOfMessage)
                return (piece.MessageType, [.. payload]);
        }
        throw new InvalidDataException("no end of message in 10,000 pieces");
    }

    private async Task<byte[]> ReadFromServerAsync(int count)
    {
        byte[] bytes = new byte[count];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (int read = 0; read < count;)
        {
            int n = await _client.ReceiveAsync(bytes.AsMemory(read), SocketFlags.None, timeout.Token);
            if (n == 0)
                throw new EndOfStreamException($"the server closed after {read} of {count} bytes");
            read += n;
        }
        return bytes;
    }

    /// <summary>One server frame (unmasked, §5.1): its first byte and its payload.</summary>
    private async Task<(int First, byte[] Payload)> ReadServerFrameAsync()
    {
        byte[] head = await ReadFromServerAsync(2);
        int length = head[1] & 0x7F;
        if (length == 126)
        {
            byte[] extended = await ReadFromServerAsync(2);
            length = (extended[0] << 8) | extended[1];
        }
        return (head[0], await ReadFromServerAsync(length));
    }

    private static byte[] InflateWithBcl(byte[] deflated)
    {
        using var inflate = new DeflateStream(new MemoryStream(deflated), CompressionMode.Decompress);
        var output = new MemoryStream();
        inflate.CopyTo(output);
        return output.ToArray();
    }
}
