using System.Net.Sockets;
using System.Threading.Channels;
using Serilog;

namespace Supervisor.Acceptor.Bus;

/// <summary>
/// What the acceptor has to say to one worker, in a bounded queue drained by one task.
/// A worker whose client stops reading stops reading its control channel too; its queue
/// then fills, and further messages to it are dropped (counted, logged once per stall)
/// while every other worker's delivery goes on untouched. Frames are shared byte arrays,
/// so a broadcast costs one copy however many queues hold it.
/// </summary>
public sealed class WorkerOutbox
{
    /// <summary>Frames waiting per worker. With ~4 KiB lines this holds about 1 MiB of
    /// backlog for a stalled client before it starts missing messages.</summary>
    public const int Capacity = 256;

    private readonly Channel<byte[]> _queue = Channel.CreateBounded<byte[]>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly string _connectionId;
    private readonly ILogger _log;
    private long _dropped;
    private int _stalled;

    public WorkerOutbox(Socket control, string connectionId, ILogger log)
    {
        _connectionId = connectionId;
        _log = log;
        _ = PumpAsync(control);
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues a complete control frame; false if it was dropped.</summary>
    public bool TryPost(byte[] frame)
    {
        if (_queue.Writer.TryWrite(frame))
        {
            if (Interlocked.Exchange(ref _stalled, 0) == 1)
                _log.Information("connection {ConnectionId} is reading again; {Dropped} messages were dropped while it was stalled", _connectionId, Dropped);
            return true;
        }
        Interlocked.Increment(ref _dropped);
        if (Interlocked.Exchange(ref _stalled, 1) == 0)
            _log.Warning("connection {ConnectionId} is not reading ({Capacity} messages queued): dropping messages to it until it catches up", _connectionId, Capacity);
        return false;
    }

    public void Complete() => _queue.Writer.TryComplete();

    private async Task PumpAsync(Socket control)
    {
        try
        {
            await foreach (byte[] frame in _queue.Reader.ReadAllAsync())
                await control.SendAsync(frame, SocketFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The worker is gone; the reaper removes it from the registry.
            _queue.Writer.TryComplete();
        }
    }
}
