using System.Net.Sockets;

namespace Supervisor.Unix.Tests;

/// <summary>Our own epoll over a unix stream socket pair, the shape of an acceptor's control
/// channel: reports only what it was asked for, carries the registration's number, and
/// stops reporting once removed. Nothing here blocks without a timeout.</summary>
public sealed class EpollTests : IDisposable
{
    private const int Patience = 5000;
    private const int Quiet = 100;

    private readonly Epoll _epoll = Epoll.Create();
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
    public void Wait_PeerWrites_ReportsInWithTheRegisteredNumber()
    {
        _epoll.Add(_ours.SafeHandle, EpollEvents.In | EpollEvents.RdHup, 0x1234_5678_9abc_def0);
        _theirs.Send("x"u8);

        var ready = WaitOne(Patience);

        Assert.Equal(0x1234_5678_9abc_def0UL, ready.Data);
        Assert.Equal(EpollEvents.In, ready.Events);
    }

    [Fact]
    public void Wait_RegisteredForInOnly_PeerReadingWhatWeSentReportsNothing()
    {
        _epoll.Add(_ours.SafeHandle, EpollEvents.In | EpollEvents.RdHup, 1);
        _ours.Send(new byte[1000]);

        Assert.Equal(1000, _theirs.Receive(new byte[1000])); // the kernel's write-space wake-up for our end

        Assert.Equal(0, _epoll.Wait(new EpollReady[4], Quiet));
    }

    [Fact]
    public void Modify_OutArmedWhileWritable_ReportedAtOnceAndOnlyWhileArmed()
    {
        _epoll.Add(_ours.SafeHandle, EpollEvents.In, 7);

        _epoll.Modify(_ours.SafeHandle, EpollEvents.In | EpollEvents.Out, 7);
        var ready = WaitOne(Patience);
        _epoll.Modify(_ours.SafeHandle, EpollEvents.In, 7);

        Assert.Equal(new EpollReady(EpollEvents.Out, 7), ready);
        Assert.Equal(0, _epoll.Wait(new EpollReady[4], Quiet));
    }

    [Fact]
    public void Wait_PeerCloses_ReportsRdHup()
    {
        _epoll.Add(_ours.SafeHandle, EpollEvents.In | EpollEvents.RdHup, 3);

        _theirs.Dispose();

        Assert.True(WaitOne(Patience).Events.HasFlag(EpollEvents.RdHup));
    }

    [Fact]
    public void Remove_ThenPeerWrites_NothingReported()
    {
        _epoll.Add(_ours.SafeHandle, EpollEvents.In, 3);

        _epoll.Remove(_ours.SafeHandle);
        _theirs.Send("x"u8);

        Assert.Equal(0, _epoll.Wait(new EpollReady[4], Quiet));
    }

    [Fact]
    public void Add_Twice_ThrowsWithTheCallsName()
    {
        _epoll.Add(_ours.SafeHandle, EpollEvents.In, 1);

        var e = Assert.Throws<UnixException>(() => _epoll.Add(_ours.SafeHandle, EpollEvents.In, 2));

        Assert.Equal("epoll_ctl(ADD)", e.Call);
    }

    [Fact]
    public void TryReceive_NothingThere_WouldBlockWithoutWaiting()
    {
        Assert.Equal(NonBlockingReceive.WouldBlock, NonBlockingReceive.TryReceive(_ours, new byte[16]));
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

    private EpollReady WaitOne(int timeout)
    {
        var ready = new EpollReady[4];
        int count = _epoll.Wait(ready, timeout);
        Assert.Equal(1, count);
        return ready[0];
    }
}
