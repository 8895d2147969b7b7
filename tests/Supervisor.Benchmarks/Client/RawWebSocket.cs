using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Supervisor.Benchmarks.Client;

/// <summary>
/// A lean RFC 6455 client over a bare <see cref="Socket"/>: one write for the handshake,
/// one read (usually) for the 101, frames built into one reusable buffer. It exists so
/// that the client's own cost is small next to what is measured: ClientWebSocket's
/// handshake goes through the HTTP stack and costs more per connection (see the
/// <c>--client</c> option to compare).
/// </summary>
/// <remarks>
/// Shortcuts a general client must not take, and why they are fair here: the mask key is
/// drawn once per connection, not per frame (§5.3 asks for a fresh one against cache
/// poisoning by intermediaries; there are none on loopback, and both servers unmask the
/// same); pings are not answered (neither server sends them in these settings — ours
/// sends unsolicited pongs every --ping-interval, which need no answer).
/// </remarks>
public sealed class RawWebSocket : IWsConnection
{
    private const int ReceiveBufferBytes = 256 * 1024;
    private static readonly byte[] AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8.ToArray();

    /// <summary>How long a blocking connection's socket calls may wait.</summary>
    private static readonly TimeSpan BlockingTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly bool _blocking;
    private readonly byte[] _mask = new byte[4];
    private readonly ulong _mask64;
    private byte[] _send = new byte[4096];
    private readonly byte[] _receive = new byte[ReceiveBufferBytes];
    private int _start;
    private int _end;

    private RawWebSocket(Socket socket, bool blocking)
    {
        _socket = socket;
        _blocking = blocking;
        RandomNumberGenerator.Fill(_mask);
        Span<byte> eight = stackalloc byte[8];
        _mask.CopyTo(eight);
        _mask.CopyTo(eight[4..]);
        _mask64 = MemoryMarshal.Read<ulong>(eight);
    }

    /// <summary>Opens a connection. A <paramref name="blocking"/> one makes only blocking
    /// socket calls (on the calling thread, each bounded by <see cref="BlockingTimeout"/>),
    /// so its socket is never registered with the runtime's epoll, whose thread would
    /// otherwise wake for every message even when a <see cref="PolledReceiver"/> reads it.</summary>
    public static async Task<IWsConnection> ConnectAsync(IPEndPoint server, CancellationToken cancellation, bool blocking = false)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var connection = new RawWebSocket(socket, blocking);
        try
        {
            if (blocking)
            {
                socket.SendTimeout = socket.ReceiveTimeout = (int)BlockingTimeout.TotalMilliseconds;
                socket.Connect(server);
            }
            else
            {
                await socket.ConnectAsync(server, cancellation);
            }
            await connection.HandshakeAsync(server, cancellation);
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task HandshakeAsync(IPEndPoint server, CancellationToken cancellation)
    {
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        byte[] request = Encoding.ASCII.GetBytes(
            $"GET / HTTP/1.1\r\nHost: {server}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n");
        await SendAllAsync(request, cancellation);

        int headEnd;
        while ((headEnd = _receive.AsSpan(0, _end).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (_end == _receive.Length)
                throw new InvalidDataException("the server's handshake response has no end");
            int n = await ReceiveSomeAsync(_receive.AsMemory(_end), cancellation);
            if (n == 0)
                throw new IOException("the server closed the connection during the handshake");
            _end += n;
        }
        string head = Encoding.ASCII.GetString(_receive, 0, headEnd);
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            throw new InvalidDataException($"handshake refused: {head.Split("\r\n")[0]}");
        string expected = Convert.ToBase64String(SHA1.HashData([.. Encoding.ASCII.GetBytes(key), .. AcceptGuid]));
        bool accepted = head.Split("\r\n").Any(line =>
            line.StartsWith("Sec-WebSocket-Accept:", StringComparison.OrdinalIgnoreCase)
            && line["Sec-WebSocket-Accept:".Length..].Trim() == expected);
        if (!accepted)
            throw new InvalidDataException("the server's Sec-WebSocket-Accept does not match the key");
        // Anything after the head is the first frame, already here: keep it.
        _start = headEnd + 4;
    }

    /// <summary>The socket's descriptor, for a <see cref="PolledReceiver"/> that reads many
    /// connections from one thread. While it does, nothing else may receive here.</summary>
    public int Descriptor => (int)_socket.SafeHandle.DangerousGetHandle();

    /// <summary>Bytes read but not yet parsed (the first frame can come with the 101),
    /// handed over to a <see cref="PolledReceiver"/>; this connection's buffer is empty after.</summary>
    public byte[] TakeBuffered()
    {
        byte[] unparsed = _receive.AsSpan(_start, _end - _start).ToArray();
        _start = _end = 0;
        return unparsed;
    }

    /// <summary>What a <see cref="PolledReceiver"/> read but did not parse, given back.</summary>
    public void Restore(ReadOnlySpan<byte> unparsed)
    {
        if (unparsed.Length > _receive.Length)
            throw new InvalidOperationException($"{unparsed.Length} unparsed bytes do not fit the {_receive.Length}-byte buffer");
        unparsed.CopyTo(_receive);
        _start = 0;
        _end = unparsed.Length;
    }

    public ValueTask SendTextAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellation) =>
        SendFrameAsync(0x1, payload.Span, cancellation);

    /// <summary>For a blocking connection: the frame goes out on the calling thread before
    /// this returns. A <see cref="PolledReceiver"/>'s handler may answer through it.</summary>
    public void SendText(ReadOnlySpan<byte> payload)
    {
        if (!_blocking)
            throw new InvalidOperationException("SendText is for blocking connections; use SendTextAsync");
        int length = BuildFrame(0x1, payload); // first: it may grow _send
        var frame = _send.AsSpan(0, length);
        while (frame.Length > 0)
            frame = frame[_socket.Send(frame)..];
    }

    private ValueTask SendFrameAsync(byte opcode, ReadOnlySpan<byte> payload, CancellationToken cancellation)
    {
        int length = BuildFrame(opcode, payload); // first: it may grow _send
        return SendAllAsync(_send.AsMemory(0, length), cancellation);
    }

    /// <summary>One masked frame into the send buffer; returns its length.</summary>
    private int BuildFrame(byte opcode, ReadOnlySpan<byte> payload)
    {
        int length = payload.Length;
        int header = length < 126 ? 2 : length <= ushort.MaxValue ? 4 : 10;
        int total = header + 4 + length;
        if (_send.Length < total)
            _send = new byte[Math.Max(total, _send.Length * 2)];

        Span<byte> frame = _send.AsSpan(0, total);
        frame[0] = (byte)(0x80 | opcode); // FIN, one frame per message
        if (header == 2)
        {
            frame[1] = (byte)(0x80 | length);
        }
        else if (header == 4)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame[2..], (ushort)length);
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame[2..], (ulong)length);
        }
        _mask.CopyTo(frame[header..]);
        Span<byte> body = frame[(header + 4)..];
        payload.CopyTo(body);
        MaskInPlace(body);
        return total;
    }

    /// <summary>XOR with the 4-byte key (§5.3), eight bytes at a time: the 64 KiB throughput
    /// messages must not make the client the bottleneck.</summary>
    private void MaskInPlace(Span<byte> body)
    {
        int whole = body.Length / 8 * 8;
        foreach (ref ulong word in MemoryMarshal.Cast<byte, ulong>(body[..whole]))
            word ^= _mask64;
        for (int i = whole; i < body.Length; i++)
            body[i] ^= _mask[i & 3]; // whole is a multiple of 4, so the key phase carries on
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        while (data.Length > 0)
        {
            int n = await SendSomeAsync(data, cancellation);
            data = data[n..];
        }
    }

    public async ValueTask<int> ReceiveAsync(Memory<byte> destination, CancellationToken cancellation)
    {
        int total = 0;
        while (true)
        {
            await FillAsync(2, cancellation);
            byte first = _receive[_start];
            byte second = _receive[_start + 1];
            int opcode = first & 0x0F;
            bool fin = (first & 0x80) != 0;
            if ((second & 0x80) != 0)
                throw new InvalidDataException("the server sent a masked frame (RFC 6455 §5.1 forbids it)");
            int length7 = second & 0x7F;
            int header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
            await FillAsync(header, cancellation);
            long length = length7 switch
            {
                126 => BinaryPrimitives.ReadUInt16BigEndian(_receive.AsSpan(_start + 2)),
                127 => (long)BinaryPrimitives.ReadUInt64BigEndian(_receive.AsSpan(_start + 2)),
                _ => length7,
            };
            _start += header;

            if (opcode == 0x8)
            {
                await SkipAsync(length, cancellation);
                return -1;
            }
            if (opcode is 0x9 or 0xA)
            {
                await SkipAsync(length, cancellation); // ping or pong: not a message
                continue;
            }

            long remaining = length;
            while (remaining > 0)
            {
                if (_start == _end)
                    await RefillAsync(cancellation);
                int take = (int)Math.Min(remaining, _end - _start);
                int room = destination.Length - total;
                if (room > 0)
                    _receive.AsSpan(_start, Math.Min(take, room)).CopyTo(destination.Span[total..]);
                total += take;
                _start += take;
                remaining -= take;
            }
            if (fin)
                return total;
        }
    }

    private async ValueTask SkipAsync(long length, CancellationToken cancellation)
    {
        while (length > 0)
        {
            if (_start == _end)
                await RefillAsync(cancellation);
            int take = (int)Math.Min(length, _end - _start);
            _start += take;
            length -= take;
        }
    }

    /// <summary>Until at least <paramref name="count"/> unread bytes are buffered.</summary>
    private async ValueTask FillAsync(int count, CancellationToken cancellation)
    {
        if (_end - _start >= count)
            return;
        if (_start > 0)
        {
            _receive.AsSpan(_start, _end - _start).CopyTo(_receive);
            _end -= _start;
            _start = 0;
        }
        while (_end < count)
        {
            int n = await ReceiveSomeAsync(_receive.AsMemory(_end), cancellation);
            if (n == 0)
                throw new IOException("the server closed the connection without a close frame");
            _end += n;
        }
    }

    private ValueTask<int> ReceiveSomeAsync(Memory<byte> into, CancellationToken cancellation) =>
        _blocking ? ValueTask.FromResult(_socket.Receive(into.Span)) : _socket.ReceiveAsync(into, SocketFlags.None, cancellation);

    private ValueTask<int> SendSomeAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation) =>
        _blocking ? ValueTask.FromResult(_socket.Send(data.Span)) : _socket.SendAsync(data, SocketFlags.None, cancellation);

    private async ValueTask RefillAsync(CancellationToken cancellation)
    {
        _start = _end = 0;
        await FillAsync(1, cancellation);
    }

    public async Task CloseAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        if (_blocking)
            _socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        try
        {
            await SendFrameAsync(0x8, [0x03, 0xE8], deadline.Token); // 1000, normal closure
            while (await ReceiveAsync(Memory<byte>.Empty, deadline.Token) >= 0)
            {
                // Messages still in flight before the server's close frame.
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or InvalidDataException)
        {
            // Gone, or silent past the timeout: closing the socket is all that is left.
        }
        finally
        {
            _socket.Dispose();
        }
    }

    public void Abort() => _socket.Dispose();

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The default client: <see cref="RawWebSocket"/>; <paramref name="blocking"/>
/// connections are for a <see cref="PolledReceiver"/>.</summary>
public sealed class RawConnector(bool blocking = false) : IWsConnector
{
    public string Name => "raw";

    public bool Blocking => blocking;

    public Task<IWsConnection> ConnectAsync(IPEndPoint server, CancellationToken cancellation) =>
        blocking
            ? Task.Run(() => RawWebSocket.ConnectAsync(server, cancellation, blocking: true), cancellation)
            : RawWebSocket.ConnectAsync(server, cancellation);
}
