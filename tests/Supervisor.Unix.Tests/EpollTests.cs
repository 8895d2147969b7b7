using System.Net.Sockets;

namespace Supervisor.Unix.Tests;

/// <summary>Our own epoll over a unix stream socket pair, the shape of an acceptor's control
/// channel, through the SafeHandle overloads the acceptor uses: reports only what it was
/// asked for, carries the registration's tag, and stops reporting once removed. Nothing
/// here blocks without a timeout.</summary>
public sealed class EpollTests : IDisposable
{
    private const int Patience = 5000;
    private const int Quiet = 100;

    private readonly Epoll _epoll = new();
    private readonly Socket _ours;
    private readonly Socket _theirs;

    public EpollTests()
    {
        var (ours, theirs) = FdPair.StreamSocketPair();
        _ours = new Socket(new SafeSocketHandle(ours, ownsHandle: true));
        _theirs = new Socket(new SafeSocketHandle(theirs, ownsHandle: true));
    }

    public void Dispose()
    {
        _epoll.Dispose();
        _ours.Dispose();
        _theirs.Dispose();
    }

    [Fact]
    public void Wait_PeerWrites_ReportsReadableWithTheRegisteredTag()
    {
        _epoll.Add(_ours.SafeHandle, Epoll.Readable | Epoll.PeerClosed, 0x1234_5678_9abc_def0);
        _theirs.Send("x"u8);

        Assert.Equal((0x1234_5678_9abc_def0UL, Epoll.Readable), WaitOne());
    }

    [Fact]
    public void Wait_WatchedForReadingOnly_PeerReadingWhatWeSentReportsNothing()
    {
        _epoll.Add(_ours.SafeHandle, Epoll.Readable | Epoll.PeerClosed, 1);
        _ours.Send(new byte[1000]);

        Assert.Equal(1000, _theirs.Receive(new byte[1000])); // the kernel's write-space wake-up for our end

        Assert.Equal(0, _epoll.Wait(new (ulong, uint)[4], Quiet));
    }

    [Fact]
    public void Modify_WritableArmedWhileThereIsRoom_ReportedAtOnceAndOnlyWhileArmed()
    {
        _epoll.Add(_ours.SafeHandle, Epoll.Readable, 7);

        _epoll.Modify(_ours.SafeHandle, Epoll.Readable | Epoll.Writable, 7);
        var ready = WaitOne();
        _epoll.Modify(_ours.SafeHandle, Epoll.Readable, 7);

        Assert.Equal((7UL, Epoll.Writable), ready);
        Assert.Equal(0, _epoll.Wait(new (ulong, uint)[4], Quiet));
    }

    [Fact]
    public void Wait_PeerCloses_ReportsPeerClosed()
    {
        _epoll.Add(_ours.SafeHandle, Epoll.Readable | Epoll.PeerClosed, 3);

        _theirs.Dispose();

        Assert.NotEqual(0u, WaitOne().Events & Epoll.PeerClosed);
    }

    [Fact]
    public void Remove_ThenPeerWrites_NothingReported()
    {
        _epoll.Add(_ours.SafeHandle, Epoll.Readable, 3);

        _epoll.Remove(_ours.SafeHandle);
        _theirs.Send("x"u8);

        Assert.Equal(0, _epoll.Wait(new (ulong, uint)[4], Quiet));
    }

    [Fact]
    public void Add_Twice_ThrowsWithTheCallsName()
    {
        _epoll.Add(_ours.SafeHandle, Epoll.Readable, 1);

        var e = Assert.Throws<UnixException>(() => _epoll.Add(_ours.SafeHandle, Epoll.Readable, 2));

        Assert.Equal("epoll_ctl", e.Call);
    }

    [Fact]
    public void Add_ClosedSocket_ObjectDisposed()
    {
        _ours.Dispose();

        Assert.Throws<ObjectDisposedException>(() => _epoll.Add(_ours.SafeHandle, Epoll.Readable, 1));
    }

    [Fact]
    public void TryReceive_NothingThere_NothingYetWithoutWaiting()
    {
        Assert.Equal(NonBlockingReceive.NothingYet, NonBlockingReceive.TryReceive(_ours, new byte[16]));
    }

    [Fact]
    public void TryReceive_DataThenPeerClosed_TheDataThenZero()
    {
        _theirs.Send("abc"u8);
        _theirs.Dispose();
        byte[] buffer = new byte[16];

        Assert.Equal(3, NonBlockingReceive.TryReceive(_ours, buffer));
        Assert.Equal(0, NonBlockingReceive.TryReceive(_ours, buffer));
    }

    [Fact]
    public void TryReceive_ClosedSocket_ObjectDisposed()
    {
        _ours.Dispose();

        Assert.Throws<ObjectDisposedException>(() => NonBlockingReceive.TryReceive(_ours, new byte[16]));
    }

    private (ulong Tag, uint Events) WaitOne()
    {
        var ready = new (ulong Tag, uint Events)[4];
        int count = _epoll.Wait(ready, Patience);
        Assert.Equal(1, count);
        return ready[0];
    }
}
