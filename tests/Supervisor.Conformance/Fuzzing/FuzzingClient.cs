using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text.Unicode;
using Supervisor.Conformance.Wire;

namespace Supervisor.Conformance.Fuzzing;

/// <summary>
/// The client end of one case: sends whatever frames the case builds, reads and checks
/// the server's frames, answers pings and the server's close as Autobahn's client does,
/// and records how the connection ended (who closed first, whether the closing
/// handshake completed, who dropped TCP). One reader loop; sends are serialized.
/// </summary>
public sealed class FuzzingClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly List<WsEvent> _received = [];
    private readonly TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _buffer = new byte[64 * 1024];
    private int _count;
    private MemoryStream? _message;
    private bool _messageBinary;

    public FuzzingClient(Socket socket, byte[] leftover, TimeSpan handshakeTimeout, TimeSpan dropTimeout)
    {
        _socket = socket;
        leftover.CopyTo(_buffer, 0);
        _count = leftover.Length;
        CloseHandshakeTimeout = handshakeTimeout;
        ServerDropTimeout = dropTimeout;
        _ = ReadLoopAsync();
    }

    /// <summary>How long the server has to answer our close (Autobahn: closeHandshakeTimeout).</summary>
    public TimeSpan CloseHandshakeTimeout { get; }

    /// <summary>How long the server has to drop TCP after the closing handshake (serverConnectionDropTimeout).</summary>
    public TimeSpan ServerDropTimeout { get; }

    /// <summary>Called after each recorded event, on the reader loop.</summary>
    public Action? EventRecorded { get; set; }

    /// <summary>When set, whole messages go here instead of only into the event list.</summary>
    public Func<WsEvent, Task>? OnMessage { get; set; }

    public bool CloseSent { get; private set; }
    public bool CloseReceived { get; private set; }
    public bool ClosedByMe { get; private set; }
    public bool DroppedByMe { get; private set; }
    public int? RemoteCloseCode { get; private set; }
    public byte[] RemoteCloseReason { get; private set; } = [];

    /// <summary>Set when the server broke the protocol as seen from here.</summary>
    public string? ServerViolation { get; private set; }

    public bool WasClean => CloseSent && CloseReceived;
    public bool IsOpen => !CloseSent && !CloseReceived && !_lost.Task.IsCompleted;
    public Task Lost => _lost.Task;

    public IReadOnlyList<WsEvent> Received
    {
        get
        {
            lock (_received)
                return _received.ToArray();
        }
    }

    public void Record(WsEvent e)
    {
        lock (_received)
            _received.Add(e);
        EventRecorded?.Invoke();
    }

    /// <summary>Sends bytes as they are, in chops of <paramref name="chopSize"/> (0: one
    /// write), pausing between chops when <paramref name="sync"/> so each is its own segment.</summary>
    public async Task SendRawAsync(byte[] bytes, int chopSize = 0, bool sync = false)
    {
        await _sendLock.WaitAsync();
        try
        {
            int step = chopSize > 0 ? chopSize : bytes.Length;
            for (int offset = 0; offset < bytes.Length || bytes.Length == 0; offset += step)
            {
                await _socket.SendAsync(bytes.AsMemory(offset, Math.Min(step, bytes.Length - offset)), SocketFlags.None);
                if (sync)
                    await Task.Delay(1);
                if (bytes.Length == 0)
                    break;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The server has closed: what it did before that is what the case judges.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Starts (or answers) the closing handshake, once.</summary>
    public async Task SendCloseAsync(int? code, byte[]? reason = null)
    {
        if (CloseSent)
            return;
        CloseSent = true;
        if (!CloseReceived)
        {
            ClosedByMe = true;
            _ = DropUnlessAsync(() => CloseReceived, CloseHandshakeTimeout);
        }
        await SendRawAsync(FrameBuilder.Close(code, reason ?? []));
    }

    /// <summary>Starts the closing handshake with a close frame of exactly this payload,
    /// valid or not (groups 7.3–7.13).</summary>
    public async Task SendCloseRawAsync(byte[] payload)
    {
        if (CloseSent)
            return;
        CloseSent = true;
        ClosedByMe = !CloseReceived;
        if (ClosedByMe)
            _ = DropUnlessAsync(() => CloseReceived, CloseHandshakeTimeout);
        await SendRawAsync(FrameBuilder.Build(Opcode.Close, payload));
    }

    /// <summary>Closes the TCP connection from this side (Autobahn's dropConnection).</summary>
    public void Drop()
    {
        if (_lost.Task.IsCompleted)
            return;
        DroppedByMe = true;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _socket.Close();
        _lost.TrySetResult();
    }

    private async Task DropUnlessAsync(Func<bool> done, TimeSpan after)
    {
        if (await Task.WhenAny(_lost.Task, Task.Delay(after)) != _lost.Task && !done())
            Drop();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                while (FrameParser.TryParse(_buffer.AsSpan(0, _count), out int consumed) is { } frame)
                {
                    _buffer.AsSpan(consumed, _count - consumed).CopyTo(_buffer);
                    _count -= consumed;
                    await HandleAsync(frame);
                }
                if (_count == _buffer.Length)
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                int n = await _socket.ReceiveAsync(_buffer.AsMemory(_count), SocketFlags.None);
                if (n == 0)
                    break;
                _count += n;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset or dropped: the connection is gone either way.
        }
        catch (InvalidDataException e)
        {
            Violation(e.Message);
        }
        _lost.TrySetResult();
    }

    private async Task HandleAsync(ServerFrame frame)
    {
        if (frame.Masked)
        {
            Violation("the server masked a frame (RFC 6455 §5.1)");
            return;
        }
        if (frame.Rsv != 0)
        {
            Violation($"RSV bits {frame.Rsv} set with no extension agreed");
            return;
        }
        if (Opcode.IsControl(frame.Opcode) && (!frame.Fin || frame.Payload.Length > 125))
        {
            Violation("a fragmented or oversized control frame");
            return;
        }
        switch (frame.Opcode)
        {
            case Opcode.Text or Opcode.Binary:
                if (_message is not null)
                {
                    Violation("a new data frame inside a fragmented message");
                    return;
                }
                _message = new MemoryStream();
                _messageBinary = frame.Opcode == Opcode.Binary;
                await AppendAsync(frame);
                break;
            case Opcode.Continuation:
                if (_message is null)
                {
                    Violation("a continuation frame with nothing to continue");
                    return;
                }
                await AppendAsync(frame);
                break;
            case Opcode.Ping:
                Record(new WsEvent(EventKind.Ping, frame.Payload));
                if (IsOpen)
                    await SendRawAsync(FrameBuilder.Build(Opcode.Pong, frame.Payload));
                break;
            case Opcode.Pong:
                Record(new WsEvent(EventKind.Pong, frame.Payload));
                break;
            case Opcode.Close:
                await OnCloseFrameAsync(frame.Payload);
                break;
            default:
                Violation($"reserved opcode {frame.Opcode}");
                break;
        }
    }

    private async Task AppendAsync(ServerFrame frame)
    {
        _message!.Write(frame.Payload);
        if (!frame.Fin)
            return;
        byte[] payload = _message.ToArray();
        _message = null;
        if (!_messageBinary && !Utf8.IsValid(payload))
        {
            Violation("a text message that is not valid UTF-8");
            return;
        }
        var e = WsEvent.Message(payload, _messageBinary);
        if (OnMessage is { } handler)
            await handler(e);
        else
            Record(e);
    }

    private async Task OnCloseFrameAsync(byte[] payload)
    {
        if (CloseReceived)
            return;
        CloseReceived = true;
        if (payload.Length == 1)
        {
            Violation("a close frame with a 1-byte payload");
            return;
        }
        if (payload.Length >= 2)
        {
            RemoteCloseCode = BinaryPrimitives.ReadUInt16BigEndian(payload);
            RemoteCloseReason = payload[2..];
        }
        // Answer with the same code, as Autobahn's client does; then the server, which
        // started the closing handshake or answered ours, should drop TCP first (§7.1.1).
        if (!CloseSent)
        {
            CloseSent = true;
            await SendRawAsync(FrameBuilder.Close(RemoteCloseCode));
        }
        _ = DropUnlessAsync(() => false, ServerDropTimeout);
    }

    /// <summary>The server broke the protocol: fail the connection (§7.1.7) and say why.</summary>
    private void Violation(string what)
    {
        ServerViolation ??= what;
        Drop();
    }

    public ValueTask DisposeAsync()
    {
        Drop();
        _socket.Dispose();
        _sendLock.Dispose();
        return ValueTask.CompletedTask;
    }
}
