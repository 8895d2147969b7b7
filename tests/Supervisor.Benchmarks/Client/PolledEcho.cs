using System.Diagnostics;

namespace Supervisor.Benchmarks.Client;

/// <summary>
/// Echo round trips on many blocking <see cref="RawWebSocket"/> connections from one
/// thread: a <see cref="PolledReceiver"/> takes each echo and, on the same thread, times it
/// and sends that connection's next message. The load generator costs one epoll wake-up,
/// one recv and one send per round trip, and never wakes a thread pool.
/// </summary>
/// <remarks>
/// Why not one async loop per connection: through the socket engine each echo costs the
/// client an epoll-thread wake-up and a thread-pool hop, 31–44 µs of CPU per round trip
/// against 18–24 µs this way (measured alongside a server tree at 110–140 µs). On two
/// cores shared with the server, that is CPU the measurement takes from what it measures.
/// </remarks>
public sealed class PolledEcho
{
    private readonly RawWebSocket[] _connections;
    private readonly byte[] _message;
    private readonly int _messagesEach;
    private readonly long[] _sentAt;
    private readonly int[] _done;
    private readonly double[] _rttMs;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connectionsLeft;

    /// <summary><paramref name="connections"/> must be blocking, with nothing in flight.</summary>
    public PolledEcho(IReadOnlyList<RawWebSocket> connections, byte[] message, int messagesEach)
    {
        _connections = [.. connections];
        _message = message;
        _messagesEach = messagesEach;
        _sentAt = new long[_connections.Length];
        _done = new int[_connections.Length];
        _rttMs = new double[_connections.Length * messagesEach];
        _connectionsLeft = _connections.Length;
    }

    /// <summary>Every round trip in milliseconds, once the run has finished; connection i's
    /// messages are at i × messagesEach onwards.</summary>
    public double[] RoundTripsMs => _rttMs;

    /// <summary>Sends every connection its first message and completes when each has had
    /// all its echoes, or faults with the receiver's failure.</summary>
    public async Task RunAsync(CancellationToken cancellation)
    {
        if (_messagesEach == 0 || _connections.Length == 0)
            return;
        using var receiver = new PolledReceiver(_connections, OnEcho);
        receiver.Start();
        for (int i = 0; i < _connections.Length; i++)
        {
            Volatile.Write(ref _sentAt[i], Stopwatch.GetTimestamp());
            _connections[i].SendText(_message);
        }

        using var watch = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (!_finished.Task.IsCompleted)
        {
            if (receiver.Failure is { } failure)
                throw new IOException("the echo receiver stopped", failure);
            await Task.WhenAny(_finished.Task, watch.WaitForNextTickAsync(cancellation).AsTask());
            cancellation.ThrowIfCancellationRequested();
        }
    }

    /// <summary>On the receiver's thread.</summary>
    private void OnEcho(int connection, ReadOnlySpan<byte> payload, long arrived)
    {
        if (payload.Length != _message.Length)
            throw new InvalidDataException($"echo of {_message.Length} bytes came back as {payload.Length}");
        int count = _done[connection];
        if (count == _messagesEach)
            throw new InvalidDataException($"connection {connection}: an echo nothing was sent for");
        _rttMs[connection * _messagesEach + count] = Stopwatch.GetElapsedTime(Volatile.Read(ref _sentAt[connection]), arrived).TotalMilliseconds;
        _done[connection] = ++count;
        if (count < _messagesEach)
        {
            _sentAt[connection] = Stopwatch.GetTimestamp();
            _connections[connection].SendText(_message);
        }
        else if (Interlocked.Decrement(ref _connectionsLeft) == 0)
        {
            _finished.TrySetResult();
        }
    }
}
