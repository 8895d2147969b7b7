using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// The worker's end of the control channel (fd 4), used with blocking calls: one reader
/// thread for the worker's whole life, any number of writers (serialized). Reads use
/// recvmsg so the client socket that comes with a <see cref="FrameType.Start"/> frame is
/// picked up rather than lost.
/// </summary>
public sealed class WorkerLink(int fd) : IDisposable
{
    private readonly FdStream _channel = new(fd);
    private readonly object _writeLock = new();
    private readonly List<int> _descriptors = [];
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private volatile bool _atEnd;

    /// <summary>True once the channel has ended: the acceptor has gone.</summary>
    public bool AtEnd => _atEnd;

    /// <summary>The next frame, with the descriptor that came with it (-1 if none); null at
    /// end of stream, which means the acceptor has gone.</summary>
    public (ControlFrame Frame, int Descriptor)? Read()
    {
        if (!Fill(ControlFrame.HeaderSize))
            return null;
        int length = ControlFrame.ReadPayloadLength(_buffer.AsSpan(_start));
        if (length < 0)
            throw new InvalidDataException("control frame length out of range");
        var type = (FrameType)_buffer[_start];
        byte[] payload = new byte[length];
        _start += ControlFrame.HeaderSize;
        int copied = 0;
        while (copied < length)
        {
            if (_start == _end && !Fill(1))
                return null;
            int chunk = Math.Min(length - copied, _end - _start);
            _buffer.AsSpan(_start, chunk).CopyTo(payload.AsSpan(copied));
            _start += chunk;
            copied += chunk;
        }
        return (new ControlFrame(type, payload), TakeDescriptor());
    }

    /// <summary>Writes one frame whole; false if the acceptor has gone.</summary>
    public bool Write(FrameType type, ReadOnlySpan<byte> payload)
    {
        byte[] bytes = ControlFrame.Encode(type, payload);
        lock (_writeLock)
        {
            try
            {
                _channel.Write(bytes);
                return true;
            }
            catch (UnixException)
            {
                return false; // EPIPE/ECONNRESET: nobody is listening any more
            }
        }
    }

    /// <summary>Makes at least <paramref name="count"/> unread bytes available; false at EOF.</summary>
    private bool Fill(int count)
    {
        if (_end - _start >= count)
            return true;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        while (_end - _start < count)
        {
            // Sleep in poll(2) for POLLIN, not in recvmsg: a unix socket has one wait queue
            // for both directions, and each time the acceptor reads a frame this worker
            // wrote (its app's pid, "ready") the kernel wakes that queue for write space.
            // recvmsg's wait takes every wake-up, and went back to sleep twice per
            // connection for nothing; poll's is woken only for what it asked for.
            ReadinessPoll.Wait(_channel.Fd, -1);
            int n;
            try
            {
                n = DescriptorPassing.Receive(_channel.Fd, _buffer.AsSpan(_end), _descriptors);
            }
            catch (UnixException)
            {
                _atEnd = true;
                throw;
            }
            if (n == 0)
            {
                _atEnd = true;
                return false;
            }
            _end += n;
        }
        return true;
    }

    /// <summary>The acceptor sends one descriptor with each Start frame and none otherwise;
    /// anything extra a confused peer sent is closed here rather than leaked.</summary>
    private int TakeDescriptor()
    {
        if (_descriptors.Count == 0)
            return -1;
        int first = _descriptors[0];
        for (int i = 1; i < _descriptors.Count; i++)
            FdPair.Close(_descriptors[i]);
        _descriptors.Clear();
        return first;
    }

    public void Dispose() => _channel.Dispose();
}
