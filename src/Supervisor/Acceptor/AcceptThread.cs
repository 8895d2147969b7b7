using System.Net.Sockets;
using Serilog;
using Supervisor.Acceptor.Admission;

namespace Supervisor.Acceptor;

/// <summary>
/// One listener's accept loop, on a thread of its own that sleeps in accept(2). A client
/// sends its request head as soon as it has connected, so the head has usually arrived
/// by the time accept returns (100 of 101 in a trace), and
/// <see cref="UpgradeHandler.HandleAsync"/> runs on this thread all the way to the
/// hand-off; only a head still on its way (or an auth program) continues elsewhere.
/// Accepting through the runtime's socket engine instead woke its epoll thread, which
/// queued the accept to the thread pool, which woke a pool thread. Together with the
/// outbox pump started only when a push has to wait and the end of a connection run on
/// the poller's thread, this took the acceptor's CPU per connection from 0.46-0.51 to
/// 0.28-0.35 ms and its runs from 10-11 to 4-5 with connections back to back, and from
/// ~17 runs to ~3 with pauses between them, when every wake-up finds its thread asleep
/// (schedstat; profiling/connect-split.py beside the benchmark).
/// </summary>
public sealed class AcceptThread
{
    private readonly Socket _listener;
    private readonly UpgradeHandler _handler;
    private readonly DescriptorReserve _reserve;
    private readonly OutOfDescriptorsAnswer _outOfDescriptors;
    private readonly ILogger _log;
    private readonly Thread _thread;
    private volatile bool _stopping;

    private AcceptThread(Socket listener, UpgradeHandler handler, DescriptorReserve reserve, OutOfDescriptorsAnswer outOfDescriptors,
        ILogger log)
    {
        _listener = listener;
        _handler = handler;
        _reserve = reserve;
        _outOfDescriptors = outOfDescriptors;
        _log = log;
        _thread = new Thread(Run) { IsBackground = true, Name = "accept" };
    }

    public static AcceptThread Start(Socket listener, UpgradeHandler handler, DescriptorReserve reserve,
        OutOfDescriptorsAnswer outOfDescriptors, ILogger log)
    {
        var accept = new AcceptThread(listener, handler, reserve, outOfDescriptors, log);
        accept._thread.Start();
        return accept;
    }

    /// <summary>Stops accepting and returns once the thread has ended. Closing a socket
    /// does not wake a thread blocked in accept(2) on it; shutting its receive side down
    /// does (accept then fails with EINVAL).</summary>
    public void Stop()
    {
        _stopping = true;
        try
        {
            _listener.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Not listening any more, which ends the loop too.
        }
        _thread.Join();
    }

    private void Run()
    {
        while (!_stopping)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception e) when (_stopping && e is SocketException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                continue; // the client gave up while in the backlog: its problem, not ours
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TooManyOpenSockets)
            {
                _reserve.ShedOne(_listener, _outOfDescriptors.SendAsync, _handler.Admitted, () => _stopping);
                continue;
            }
            catch (SocketException e)
            {
                // ENOBUFS and friends: out of a resource for now, not broken for good.
                // Pausing lets exiting workers return it instead of spinning on accept.
                _log.Error("accept failed: {Error}; pausing accepts for 100 ms", e.Message);
                Thread.Sleep(100);
                continue;
            }
            // The worker inherits this socket and its options: small messages must not
            // wait for Nagle's algorithm.
            client.NoDelay = true;
            _ = _handler.HandleAsync(client);
        }
    }
}
