using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Supervisor.Protocol.Engine;

namespace Supervisor.Protocol.Tests.Engine;

/// <summary>The engine on a real loopback TCP connection; the test plays the client with
/// hand-built frames on a raw socket.</summary>
public sealed class ServerWebSocketTests : IDisposable
{
    private static readonly byte[] Key = [0x37, 0xFA, 0x21, 0x3D];
    private readonly Socket _client;
    private readonly ServerWebSocket _server;

    public ServerWebSocketTests() : this(TimeSpan.Zero)
    {
    }

    private ServerWebSocketTests(TimeSpan keepAlive)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _client.Connect((IPEndPoint)listener.LocalEndpoint);
        _server = new ServerWebSocket(new NetworkStream(listener.AcceptSocket(), ownsSocket: true), keepAlive);
    }

    public void Dispose()
    {
        _server.Dispose();
        _client.Dispose();
    }

    /// <summary>A client frame: FIN and opcode in <paramref name="first"/>, masked with <see cref="Key"/>.</summary>
    private static byte[] ClientFrame(byte first, byte[] payload)
    {
        var frame = new List<byte> { first };
        if (payload.Length <= 125)
            frame.Add((byte)(0x80 | payload.Length));
        else if (payload.Length <= ushort.MaxValue)
            frame.AddRange([0xFE, (byte)(payload.Length >> 8), (byte)payload.Length]);
        else
            frame.AddRange([0xFF, 0, 0, 0, 0, (byte)(payload.Length >> 24), (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length]);
        frame.AddRange(Key);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ Key[i % 4])));
        return [.. frame];
    }

    private Task<ValueWebSocketReceiveResult> ReceiveAsync(byte[] buffer, CancellationToken cancellation = default) =>
        Task.Run(async () => await _server.ReceiveAsync(buffer.AsMemory(), cancellation));

    private async Task<byte[]> ReadFromServerAsync(int count)
    {
        byte[] bytes = new byte[count];
        int read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read < count)
        {
            int n = await _client.ReceiveAsync(bytes.AsMemory(read), SocketFlags.None, timeout.Token);
            if (n == 0)
                break;
            read += n;
        }
        return bytes[..read];
    }

    private async Task<bool> ServerClosedTcpAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _client.ReceiveAsync(new byte[1], SocketFlags.None, timeout.Token) == 0;
    }

    [Fact]
    public async Task Receive_FragmentedTextWithPingBetween_PiecesInOrderAndPongWithThePingsPayload()
    {
        byte[] euro = Encoding.UTF8.GetBytes("€"); // E2 82 AC, cut between the two fragments
        _client.Send([
            .. ClientFrame(0x01, [(byte)'a', euro[0]]),      // text, not FIN
            .. ClientFrame(0x89, "hi"u8.ToArray()),          // ping inside the message (§5.4)
            .. ClientFrame(0x80, [euro[1], euro[2], (byte)'z']), // continuation, FIN
        ]);
        byte[] buffer = new byte[64];

        var first = await ReceiveAsync(buffer);
        byte[] firstBytes = buffer[..first.Count];
        var second = await ReceiveAsync(buffer);

        Assert.Equal((WebSocketMessageType.Text, false), (first.MessageType, first.EndOfMessage));
        Assert.Equal((WebSocketMessageType.Text, true), (second.MessageType, second.EndOfMessage));
        Assert.Equal("a€z", Encoding.UTF8.GetString([.. firstBytes, .. buffer[..second.Count]]));
        Assert.Equal(new byte[] { 0x8A, 0x02, (byte)'h', (byte)'i' }, await ReadFromServerAsync(4)); // pong, unmasked
    }

    [Fact]
    public async Task Receive_ClientCloses_CloseReceivedThenOurCloseEndsIt()
    {
        _client.Send(ClientFrame(0x88, [0x0B, 0xB8, (byte)'o', (byte)'k'])); // 3000 "ok"

        var result = await ReceiveAsync(new byte[16]);

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketState.CloseReceived, _server.State);
        Assert.Equal((WebSocketCloseStatus)3000, _server.CloseStatus);
        Assert.Equal("ok", _server.CloseStatusDescription);

        await _server.CloseOutputAsync((WebSocketCloseStatus)3000, "ok", CancellationToken.None);

        Assert.Equal(WebSocketState.Closed, _server.State);
        Assert.Equal(new byte[] { 0x88, 0x04, 0x0B, 0xB8, (byte)'o', (byte)'k' }, await ReadFromServerAsync(6));
    }

    [Fact]
    public async Task CloseOutput_ThenClientsClose_CloseSentThenClosed()
    {
        await _server.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        Assert.Equal(WebSocketState.CloseSent, _server.State);
        Assert.Equal(new byte[] { 0x88, 0x02, 0x03, 0xE8 }, await ReadFromServerAsync(4));

        _client.Send([.. ClientFrame(0x81, "late"u8.ToArray()), .. ClientFrame(0x88, [])]);
        var late = await ReceiveAsync(new byte[16]);
        var close = await ReceiveAsync(new byte[16]);

        Assert.Equal(WebSocketMessageType.Text, late.MessageType); // data may still come (§5.5.1)
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketCloseStatus.Empty, _server.CloseStatus);
        Assert.Equal(WebSocketState.Closed, _server.State);
    }

    [Theory]
    [InlineData(new byte[] { 0x81, 0x02, (byte)'h', (byte)'i' }, 1002)]       // not masked (§5.1)
    [InlineData(new byte[] { 0xC1, 0x80, 1, 2, 3, 4 }, 1002)]                 // RSV1 with no extension
    [InlineData(new byte[] { 0x81, 0x82, 0, 0, 0, 0, 0xC0, 0xAF }, 1007)]     // text that is not UTF-8 (key 0)
    [InlineData(new byte[] { 0x88, 0x82, 0, 0, 0, 0, 0x03, 0xEC }, 1002)]     // close code 1004 (reserved)
    public async Task Receive_Violation_CloseWithItsCodeThenTcpClosedAndFaulted(byte[] frame, int code)
    {
        _client.Send(frame);

        var error = await Assert.ThrowsAsync<WebSocketException>(() => ReceiveAsync(new byte[16]));

        Assert.Null(error.InnerException); // a violation, not a lost connection
        Assert.Equal(WebSocketState.Aborted, _server.State);
        byte[] head = await ReadFromServerAsync(2);
        Assert.Equal(0x88, head[0]);
        byte[] payload = await ReadFromServerAsync(head[1]); // the code, then a short reason
        Assert.Equal(code, (payload[0] << 8) | payload[1]);
        Assert.True(await ServerClosedTcpAsync());
    }

    [Fact]
    public async Task Receive_ClientDropsTcpMidFrame_ClosedPrematurely()
    {
        _client.Send(ClientFrame(0x81, "hello"u8.ToArray())[..8]);
        _client.Shutdown(SocketShutdown.Send);

        var piece = await ReceiveAsync(new byte[16]); // what came of the payload
        var error = await Assert.ThrowsAsync<WebSocketException>(() => ReceiveAsync(new byte[16]));

        Assert.Equal((2, false), (piece.Count, piece.EndOfMessage));
        Assert.Equal(WebSocketError.ConnectionClosedPrematurely, error.WebSocketErrorCode);
    }

    [Fact]
    public async Task Receive_PayloadLongerThanTheBuffer_InPiecesUnmasked()
    {
        byte[] payload = new byte[100_000];
        new Random(1).NextBytes(payload);
        _ = Task.Run(() => _client.Send(ClientFrame(0x82, payload)));
        byte[] buffer = new byte[65536];
        var received = new List<byte>();

        ValueWebSocketReceiveResult piece;
        do
        {
            piece = await ReceiveAsync(buffer);
            Assert.Equal(WebSocketMessageType.Binary, piece.MessageType);
            received.AddRange(buffer[..piece.Count]);
        } while (!piece.EndOfMessage);

        Assert.Equal(payload, received.ToArray());
    }

    [Fact]
    public async Task Send_TextThenBinaryInTwoFragments_OpcodesAndFinAsRfc6455Says()
    {
        await _server.SendAsync("hi"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        await _server.SendAsync(new byte[] { 1 }, WebSocketMessageType.Binary, endOfMessage: false, CancellationToken.None);
        await _server.SendAsync(new byte[300], WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

        byte[] wire = await ReadFromServerAsync(4 + 3 + 4 + 300);

        Assert.Equal(new byte[] { 0x81, 0x02, (byte)'h', (byte)'i' }, wire[..4]);       // FIN, text
        Assert.Equal(new byte[] { 0x02, 0x01, 0x01 }, wire[4..7]);                     // binary, not FIN
        Assert.Equal(new byte[] { 0x80, 0x7E, 0x01, 0x2C }, wire[7..11]);              // FIN, continuation, 16-bit 300
    }

    [Fact]
    public async Task Receive_CancelledWhileWaiting_CanceledAndAborted()
    {
        using var cancel = new CancellationTokenSource();
        var receive = ReceiveAsync(new byte[16], cancel.Token);
        await Task.Delay(100);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive);
        Assert.Equal(WebSocketState.Aborted, _server.State);
    }

    [Fact]
    public async Task KeepAlive_QuietConnection_UnsolicitedEmptyPongs()
    {
        using var quiet = new ServerWebSocketTests(TimeSpan.FromMilliseconds(50));

        Assert.Equal(new byte[] { 0x8A, 0x00, 0x8A, 0x00 }, await quiet.ReadFromServerAsync(4));
    }
}
