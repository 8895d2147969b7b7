using System.Net.Sockets;
using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Supervisor.IntegrationTests;

/// <summary>The acceptor watches its control channels for input only: a worker reading the
/// bus frames it was sent frees room on the acceptor's end, and an epoll watching that end
/// for EPOLLOUT wakes the acceptor each time for nothing (measured in the benchmark's
/// broadcast to 1000 clients: 10–14 of 53 µs of server CPU per client per line). Room is
/// watched for on one socket only while a send to it waits, as for a client that has
/// stopped reading: its control channel, or the acceptor's copy of the client socket
/// when that wait is for the rest of a message pushed to the client directly.</summary>
[Collection(LoadCollection.Name)]
public sealed class ControlChannelPollingTests(ITestOutputHelper output)
{
    private const int Clients = 3;
    private const int Lines = 50;
    private const int StalledLines = 2560;
    private const int LineBytes = 4096; // newline included: 2560 × 4 KiB = 10 MiB, past every buffer on the way

    [Fact]
    public async Task ControlChannels_ClientsReadBroadcasts_EveryChannelWatchedForInputNoneForRoom()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        var clients = new List<ClientWebSocket>();
        try
        {
            for (int i = 0; i < Clients; i++)
                clients.Add(await WsClient.ConnectAsync(server.Url(), cts.Token));
            await BusControl.WaitForConnectionsAsync(server, Clients, TimeSpan.FromSeconds(10), cts.Token);
            await File.WriteAllTextAsync(server.FifoPath, string.Concat(Enumerable.Range(0, Lines).Select(i => $"line {i}\n")), cts.Token);
            foreach (var client in clients)
                Assert.Equal(Lines, (await client.ReceiveThroughAsync($"line {Lines - 1}", cts.Token)).Count);

            var channels = await ChannelsOfEveryWorkerAsync(server, cts.Token);
            var watches = EpollWatches.Of(server.Pid);
            output.WriteLine($"control channels (inodes) {string.Join(", ", channels)}; watched: {string.Join("; ", watches)}");

            Assert.All(channels, inode => Assert.Contains(watches, w => w.Inode == inode && (w.Events & EpollWatches.EPOLLIN) != 0));
            var forRoom = WatchedForRoom(watches, channels);
            Assert.True(forRoom.Count == 0, $"control channels watched for EPOLLOUT: {string.Join("; ", forRoom)}");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Push_ClientStopsReading_OneSocketWatchedForRoomOnlyUntilItReadsAgain()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        // Lines fill the client's socket; the rest of the one that did not fit waits for
        // room (or, if the worker was writing, the worker blocks, its channel fills, and the
        // outbox's send waits): the one wait that may watch for EPOLLOUT.
        var (stalledClient, writer) = await StallAClientAsync(server, cts.Token);
        using var stalled = stalledClient;
        var channels = await ChannelsOfEveryWorkerAsync(server, cts.Token);
        var sockets = new HashSet<ulong>(channels);
        sockets.UnionWith(EpollWatches.ClientSockets(server.Pid));
        var whileStalled = WatchedForRoom(EpollWatches.Of(server.Pid), sockets);
        output.WriteLine($"while stalled, of {sockets.Count} control channels and client sockets: {string.Join("; ", whileStalled)}");
        Assert.Single(whileStalled);
        await writer;

        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var drain = Task.Run(() => DrainAsync(stalled, reading.Token));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        IReadOnlyList<EpollWatches.Watch> watches;
        while (WatchedForRoom(watches = EpollWatches.Of(server.Pid), sockets).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"still watched for EPOLLOUT 30 s after the client read again: " +
                string.Join("; ", WatchedForRoom(watches, sockets)));
            await Task.Delay(50, cts.Token);
        }
        reading.Cancel();
        long drained = await drain;
        output.WriteLine($"the client read {drained / 1024} KiB once it read again; then: {string.Join("; ", watches)}");
        Assert.All(channels, inode => Assert.Contains(watches, w => w.Inode == inode && (w.Events & EpollWatches.EPOLLIN) != 0));
    }

    /// <summary>A client stops reading in the middle of a pushed line, and its worker is
    /// killed: the acceptor lets go of everything of that connection. No socket stays
    /// watched for room, and it maps no send-gate page but those of the workers alive.
    /// (A wait for room on a socket that is then closed by its last holder would leave
    /// the epoll without a report, and hold its page forever.)</summary>
    [Fact]
    public async Task Push_WorkerKilledWhileAPushWaitsForRoom_AcceptorKeepsNothingOfIt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        var (stalledClient, writer) = await StallAClientAsync(server, cts.Token);
        using var stalled = stalledClient;
        var sockets = new HashSet<ulong>(EpollWatches.ClientSockets(server.Pid));
        sockets.UnionWith(EpollWatches.ControlChannels(server.Pid));
        output.WriteLine($"stalled: {string.Join("; ", WatchedForRoom(EpollWatches.Of(server.Pid), sockets))}");

        Assert.True(Signals.Send(server.ServingWorkers().Single().Pid, Signals.SIGKILL));
        await writer;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var forRoom = WatchedForRoom(EpollWatches.Of(server.Pid), sockets);
            int pages = GatePages(server.Pid), workers = server.AllWorkers().Count;
            if (forRoom.Count == 0 && pages == workers)
                break;
            Assert.True(DateTime.UtcNow < deadline, $"10 s after the worker was killed the acceptor still watches " +
                $"[{string.Join("; ", forRoom)}] for room and maps {pages} send-gate pages for {workers} workers");
            await Task.Delay(50, cts.Token);
        }
        Assert.False(server.HasExited);
    }

    /// <summary>The send-gate pages <paramref name="pid"/> has mapped (memfds by name, in /proc/PID/maps).</summary>
    private static int GatePages(int pid) =>
        File.ReadLines($"/proc/{pid}/maps").Count(l => l.Contains("memfd:ws-supervisor-send-gate", StringComparison.Ordinal));

    private static List<EpollWatches.Watch> WatchedForRoom(IEnumerable<EpollWatches.Watch> watches, IReadOnlySet<ulong> channels) =>
        watches.Where(w => channels.Contains(w.Inode) && (w.Events & EpollWatches.EPOLLOUT) != 0).ToList();

    /// <summary>The acceptor's control channels once there is one per worker (spares still
    /// starting or going make the two counts differ for a moment).</summary>
    private static async Task<IReadOnlySet<ulong>> ChannelsOfEveryWorkerAsync(SupervisorProcess server, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var channels = EpollWatches.ControlChannels(server.Pid);
            int workers = server.AllWorkers().Count;
            if (channels.Count == workers && workers > 0)
                return channels;
            Assert.True(DateTime.UtcNow < deadline, $"{channels.Count} control channels for {workers} workers after 10 s");
            await Task.Delay(50, cancellation);
        }
    }

    /// <summary>A client that has stopped reading (a small receive window, nothing read),
    /// and 10 MiB of FIFO lines pushed at it from another thread until the acceptor logs
    /// that it is not reading; the writer ends once the rest have been dropped.</summary>
    private static async Task<(Socket Stalled, Task Writer)> StallAClientAsync(SupervisorProcess server, CancellationToken cancellation)
    {
        var stalled = await RawHttp.ConnectStalledAsync(server.Port, cancellation);
        await BusControl.WaitForConnectionsAsync(server, 1, TimeSpan.FromSeconds(10), cancellation);
        var writer = Task.Factory.StartNew(() => WriteLines(server.FifoPath), cancellation,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await server.WaitForLogAsync(new("is not reading"), TimeSpan.FromSeconds(30));
        return (stalled, writer);
    }

    private static void WriteLines(string fifo)
    {
        using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        var line = new byte[LineBytes];
        line.AsSpan().Fill((byte)'x');
        line[^1] = (byte)'\n';
        for (int i = 0; i < StalledLines; i++)
            stream.Write(line);
    }

    /// <summary>Reads (and drops) whatever comes until cancelled; the bytes read.</summary>
    private static async Task<long> DrainAsync(Socket socket, CancellationToken stop)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop)) > 0)
                total += n;
        }
        catch (OperationCanceledException)
        {
            // Told to stop.
        }
        return total;
    }
}
