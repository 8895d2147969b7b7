using Supervisor.Unix;

namespace Supervisor.Benchmarks.Client;

/// <summary>
/// Receives the messages of many <see cref="RawWebSocket"/> connections on one thread of
/// its own, through epoll: per message one readiness event and one recv, no thread-pool
/// hop, no allocation. The broadcast metric's thousand clients share the server's two
/// cores; through the socket engine's async receives they cost ~25 µs per client per
/// line, a quarter of all the CPU the broadcast took, which is time the measurement stole
/// from the server it measures.
/// </summary>
/// <remarks>Whole frames only: neither server fragments a message this small. A fragment,
/// a close frame or a connection that ends is a failure of the run, reported through
/// <see cref="Failure"/>.</remarks>
public sealed class PolledReceiver : IDisposable
{
    /// <summary>Called on the receiver's thread with connection index, payload and the
    /// <see cref="System.Diagnostics.Stopwatch"/> timestamp of the recv that completed it.</summary>
    public delegate void MessageHandler(int connection, ReadOnlySpan<byte> payload, long arrived);

    private const int PollTimeoutMs = 50;

    private readonly RawWebSocket[] _connections;
    private readonly Inbox[] _inboxes;
    private readonly MessageHandler _onMessage;
    private readonly Epoll _epoll = new();
    private readonly Thread _thread;
    private volatile bool _stopping;
    private volatile Exception? _failure;

    public PolledReceiver(IReadOnlyList<RawWebSocket> connections, MessageHandler onMessage)
    {
        _connections = [.. connections];
        _onMessage = onMessage;
        _inboxes = new Inbox[_connections.Length];
        for (int i = 0; i < _connections.Length; i++)
        {
            _inboxes[i] = new Inbox(_connections[i].TakeBuffered());
            _epoll.Add(_connections[i].Descriptor, Epoll.Readable | Epoll.PeerClosed, (ulong)i);
        }
        _thread = new Thread(Run) { IsBackground = true, Name = "polled receiver" };
    }

    /// <summary>Why the receiver stopped early, if it did.</summary>
    public Exception? Failure => _failure;

    public void Start()
    {
        // Bytes that came with the last echo are parsed before the first wait.
        for (int i = 0; i < _inboxes.Length; i++)
            Deliver(i, System.Diagnostics.Stopwatch.GetTimestamp());
        _thread.Start();
    }

    private void Run()
    {
        var ready = new (ulong Tag, uint Events)[256];
        try
        {
            while (!_stopping)
            {
                int count = _epoll.Wait(ready, PollTimeoutMs);
                for (int i = 0; i < count; i++)
                    Receive((int)ready[i].Tag);
            }
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }

    private void Receive(int index)
    {
        var inbox = _inboxes[index];
        int received = NonBlockingReceive.TryReceive(_connections[index].Descriptor, inbox.FreeSpace());
        if (received == NonBlockingReceive.NothingYet)
            return;
        if (received == 0)
            throw new IOException($"connection {index} ended without a close frame");
        inbox.Received(received);
        Deliver(index, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    private void Deliver(int index, long arrived)
    {
        var inbox = _inboxes[index];
        while (inbox.NextFrame() is { } frame)
        {
            switch (frame.Opcode)
            {
                case 0x1 or 0x2 when frame.Fin:
                    _onMessage(index, inbox.Payload(frame), arrived);
                    break;
                case 0x9 or 0xA:
                    break; // ping or pong: not a message
                case 0x8:
                    throw new IOException($"the server closed connection {index}");
                default:
                    throw new InvalidDataException($"connection {index}: a fragmented message (opcode {frame.Opcode}); this receiver takes whole frames only");
            }
            inbox.Consume(frame);
        }
    }

    /// <summary>Stops the thread, and hands each connection back what it had read but not
    /// parsed, so the closing handshake finds its stream intact.</summary>
    public void Dispose()
    {
        _stopping = true;
        if (_thread.IsAlive)
            _thread.Join();
        _epoll.Dispose();
        for (int i = 0; i < _connections.Length; i++)
            _connections[i].Restore(_inboxes[i].Unparsed);
    }

    private readonly record struct Frame(int Opcode, bool Fin, int HeaderLength, int PayloadLength);

    /// <summary>One connection's bytes read but not yet consumed.</summary>
    private sealed class Inbox(byte[] initial)
    {
        private byte[] _buffer = Grow(initial);
        private int _start;
        private int _end = initial.Length;

        private static byte[] Grow(byte[] initial)
        {
            var buffer = new byte[Math.Max(8192, initial.Length * 2)];
            initial.CopyTo(buffer, 0);
            return buffer;
        }

        public ReadOnlySpan<byte> Unparsed => _buffer.AsSpan(_start, _end - _start);

        public Span<byte> FreeSpace()
        {
            if (_start > 0)
            {
                Unparsed.CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
                Array.Resize(ref _buffer, _buffer.Length * 2);
            return _buffer.AsSpan(_end);
        }

        public void Received(int count) => _end += count;

        public Frame? NextFrame()
        {
            var bytes = Unparsed;
            if (bytes.Length < 2)
                return null;
            if ((bytes[1] & 0x80) != 0)
                throw new InvalidDataException("the server sent a masked frame (RFC 6455 §5.1 forbids it)");
            int length7 = bytes[1] & 0x7F;
            int header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
            if (bytes.Length < header)
                return null;
            long length = length7 switch
            {
                126 => System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]),
                127 => (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[2..]),
                _ => length7,
            };
            if (length > 64 * 1024 * 1024)
                throw new InvalidDataException($"a {length}-byte frame: far past anything this benchmark sends");
            if (bytes.Length < header + length)
                return null;
            return new Frame(bytes[0] & 0x0F, (bytes[0] & 0x80) != 0, header, (int)length);
        }

        public ReadOnlySpan<byte> Payload(Frame frame) => Unparsed.Slice(frame.HeaderLength, frame.PayloadLength);

        public void Consume(Frame frame)
        {
            _start += frame.HeaderLength + frame.PayloadLength;
            if (_start == _end)
                _start = _end = 0;
        }
    }
}
