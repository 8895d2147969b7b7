using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace Supervisor.Unix.Tests;

/// <summary>The worker's client stream: blocking recv/send on the caller's thread, woken only
/// by shutdown, over a real loopback TCP connection accepted the way the acceptor does it
/// (an async accept, which leaves the socket O_NONBLOCK).</summary>
public sealed class BlockingSocketStreamTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly Socket _peer;
    private readonly Socket _accepted;

    public BlockingSocketStreamTests()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        Task<Socket> accept = listener.AcceptAsync();
        _peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _peer.Connect(listener.LocalEndPoint!);
        _accepted = accept.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _peer.Dispose();
        _accepted.Dispose();
    }

    [Fact]
    public void WriteAndRead_BytesCrossBothWays()
    {
        using var stream = new BlockingSocketStream(_accepted);

        stream.Write("out"u8);
        _peer.Send("in"u8);

        Assert.Equal("out", ReceiveText(_peer, 3));
        byte[] buffer = new byte[2];
        Assert.Equal(2, stream.Read(buffer));
        Assert.Equal("in"u8.ToArray(), buffer);
    }

    [Fact]
    public async Task ReadAsync_DataWaiting_CompletedWhenReturned()
    {
        using var stream = new BlockingSocketStream(_accepted);
        _peer.Send("x"u8);

        ValueTask<int> read = stream.ReadAsync(new byte[1]);

        Assert.True(read.IsCompletedSuccessfully);
        Assert.Equal(1, await read);
    }

    [Fact]
    public async Task Read_NothingSent_BlocksInsteadOfFailingWithEagain()
    {
        // The accepted socket was O_NONBLOCK; a read on it would fail at once with EAGAIN.
        using var stream = new BlockingSocketStream(_accepted);

        Task<int> read = Task.Factory.StartNew(() => stream.Read(new byte[1]), TaskCreationOptions.LongRunning);

        Assert.NotSame(read, await Task.WhenAny(read, Task.Delay(300))); // still blocked: no EAGAIN
        stream.Shutdown();
        Assert.Same(read, await Task.WhenAny(read, Task.Delay(Patience))); // woken
        Assert.Equal(0, await read);
    }

    [Fact]
    public async Task Dispose_WhileAnotherThreadIsBlockedInRead_ReadEndsAndThePeerSeesAnOrderlyClose()
    {
        var stream = new BlockingSocketStream(_accepted);
        Task<int> read = Task.Factory.StartNew(() => stream.Read(new byte[1]), TaskCreationOptions.LongRunning);
        await Task.Delay(100);

        stream.Dispose();

        Assert.Same(read, await Task.WhenAny(read, Task.Delay(Patience))); // not left blocked
        Assert.Equal(0, _peer.Receive(new byte[1])); // FIN, not a reset
    }

    [Fact]
    public void Write_PeerHasClosed_ThrowsIOException()
    {
        using var stream = new BlockingSocketStream(_accepted);
        _peer.Close();

        // The first send may still be accepted by the kernel; the reset it provokes fails a later one.
        Assert.Throws<IOException>(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                stream.Write(new byte[1024]);
                Thread.Sleep(10);
            }
        });
    }

    [Fact]
    public async Task WebSocketEngine_OverThisStream_ReceiveAndSendCompleteBeforeTheyReturn()
    {
        // What the worker relies on: no continuation, so no thread hop, per message.
        using var socket = WebSocket.CreateFromStream(new BlockingSocketStream(_accepted), new WebSocketCreationOptions { IsServer = true });
        _peer.Send([0x81, 0x82, 0, 0, 0, 0, (byte)'h', (byte)'i']); // FIN + text, masked, length 2, zero mask, "hi"

        var buffer = new byte[16];
        ValueTask<ValueWebSocketReceiveResult> receive = socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
        ValueTask send = socket.SendAsync("ok"u8.ToArray().AsMemory(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        Assert.True(receive.IsCompletedSuccessfully);
        Assert.True(send.IsCompletedSuccessfully);
        Assert.Equal(2, (await receive).Count);
        Assert.Equal([0x81, 0x02, (byte)'o', (byte)'k'], ReceiveBytes(_peer, 4)); // FIN + text, unmasked, length 2, "ok"
    }

    private static string ReceiveText(Socket socket, int count) => System.Text.Encoding.ASCII.GetString(ReceiveBytes(socket, count));

    private static byte[] ReceiveBytes(Socket socket, int count)
    {
        byte[] buffer = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            int n = socket.Receive(buffer.AsSpan(filled));
            if (n == 0)
                break;
            filled += n;
        }
        return buffer[..filled];
    }
}
